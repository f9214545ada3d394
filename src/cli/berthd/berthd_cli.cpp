#include "cli/berthd/berthd_cli.hpp"

#include <pthread.h>
#include <signal.h>

#include <cstdio>
#include <iostream>
#include <set>
#include <thread>

#include "http/router.hpp"
#include "http/server.hpp"
#include "api/routes.hpp"
#include "base/log.hpp"
#include "cli/flags/flags.hpp"
#include "engine/daemon.hpp"

namespace berth::cli {

namespace {

const std::vector<FlagDef>& daemon_flags() {
    static const std::vector<FlagDef> defs = {
        {"host", 'H', FlagDef::String, "", "Daemon socket to listen on (unix:///path)", false, "string"},
        {"data-root", 0, FlagDef::String, "/var/lib/berth", "Root directory of persistent berth state"},
        {"exec-root", 0, FlagDef::String, "/run/berth", "Root directory for execution state files"},
        {"config-file", 0, FlagDef::String, "/etc/berth/daemon.json", "Daemon configuration file"},
        {"pidfile", 'p', FlagDef::String, "", "Path to use for daemon PID file (default <exec-root>/berthd.pid)"},
        {"group", 'G', FlagDef::String, "berth", "Group for the unix socket"},
        {"log-level", 'l', FlagDef::String, "info", "Set the logging level (\"debug\"|\"info\"|\"warn\"|\"error\"|\"fatal\")"},
        {"debug", 'D', FlagDef::Bool, "", "Enable debug mode"},
        {"bridge", 'b', FlagDef::String, "berth0", "Attach containers to a network bridge (\"none\": no default bridge)"},
        {"bip", 0, FlagDef::String, "", "Specify network bridge IP"},
        {"fixed-cidr", 0, FlagDef::String, "", "IPv4 subnet for fixed IPs"},
        {"mtu", 0, FlagDef::Int, "1500", "Set the containers network MTU"},
        {"icc", 0, FlagDef::Bool, "true", "Enable inter-container communication"},
        {"ip-masq", 0, FlagDef::Bool, "true", "Enable IP masquerading"},
        {"ip-forward", 0, FlagDef::Bool, "true", "Enable net.ipv4.ip_forward"},
        {"ip", 0, FlagDef::String, "0.0.0.0", "Default IP when binding container ports"},
        {"nft-table", 0, FlagDef::String, "berth", "Name of berth's own nftables table"},
        {"version", 'v', FlagDef::Bool, "", "Print version information and quit"},
    };
    return defs;
}

log::Level to_log_level(const std::string& s) {
    if (s == "debug") return log::Level::debug;
    if (s == "warn") return log::Level::warn;
    if (s == "error" || s == "fatal") return log::Level::error;
    return log::Level::info;
}

// Flags override the defaults; each one given is remembered by its daemon.json key.
Result<engine::DaemonConfig> config_from(const ParsedFlags& f, std::set<std::string>& given) {
    engine::DaemonConfig cfg;
    auto take = [&](const char* flag, const char* key, std::string& field) {
        if (!f.has(flag)) return;
        field = f.value(flag);
        given.insert(key);
    };
    take("host", "hosts", cfg.host);
    take("data-root", "data-root", cfg.data_root);
    take("exec-root", "exec-root", cfg.exec_root);
    take("pidfile", "pidfile", cfg.pidfile);
    take("group", "group", cfg.group);
    take("log-level", "log-level", cfg.log_level);
    take("bridge", "bridge", cfg.network.default_bridge);
    take("bip", "bip", cfg.network.bip);
    take("fixed-cidr", "fixed-cidr", cfg.network.fixed_cidr);
    take("ip", "ip", cfg.network.default_bind_ip);
    take("nft-table", "nft-table", cfg.network.nft_table);
    if (f.has("mtu")) {
        try {
            cfg.network.mtu = std::stoi(f.value("mtu"));
        } catch (...) {
            return fail("invalid --mtu " + f.value("mtu"));
        }
        given.insert("mtu");
    }
    for (auto [flag, field] : {std::pair{"icc", &cfg.network.icc}, std::pair{"ip-masq", &cfg.network.ip_masquerade},
                               std::pair{"ip-forward", &cfg.network.ip_forward}}) {
        if (!f.has(flag)) continue;
        *field = f.enabled(flag);
        given.insert(flag);
    }
    if (f.enabled("debug")) {
        cfg.log_level = "debug";
        given.insert("debug");
    }
    if (f.has("config-file")) cfg.config_file = f.value("config-file");
    BERTH_TRYV(engine::load_daemon_json(cfg, f.has("config-file"), given));
    BERTH_TRYV(engine::validate_log_level(cfg.log_level));
    return cfg;
}

// SIGTERM and SIGINT end the daemon; they are blocked everywhere and taken by one
// thread, so no connection thread is interrupted by them.
sigset_t stop_signals() {
    sigset_t set;
    sigemptyset(&set);
    sigaddset(&set, SIGTERM);
    sigaddset(&set, SIGINT);
    return set;
}

int serve(engine::DaemonConfig cfg) {
    auto socket = cfg.socket_path();
    if (!socket) {
        log::error(socket.error().message);
        return 1;
    }
    auto daemon = engine::Daemon::open(cfg);
    if (!daemon) {
        log::error("failed to start daemon: " + daemon.error().message);
        return 1;
    }
    http::Router router;
    api::add_all_routes(router, **daemon);
    http::ServerOptions opts;
    opts.group = cfg.group;
    auto server = http::Server::listen_unix(*socket, router, opts);
    if (!server) {
        log::error("failed to listen on " + cfg.host + ": " + server.error().message);
        return 1;
    }
    sigset_t set = stop_signals();
    std::thread waiter([&] {
        int sig = 0;
        sigwait(&set, &sig);
        log::info(std::string("received ") + (sig == SIGTERM ? "SIGTERM" : "SIGINT") + ", shutting down");
        server->stop();
    });
    log::info("API listen on " + *socket);
    auto served = server->serve();
    // serve() also returns on an accept failure: wake the waiter so it can be joined.
    pthread_kill(waiter.native_handle(), SIGTERM);
    waiter.join();
    if (!served) {
        log::error(served.error().message);
        return 1;
    }
    log::info("daemon shut down");
    return 0;
}

}  // namespace

int berthd_main(int argc, char** argv) {
    sigset_t set = stop_signals();
    pthread_sigmask(SIG_BLOCK, &set, nullptr);
    signal(SIGPIPE, SIG_IGN);

    std::vector<std::string> args(argv + 1, argv + argc);
    auto flags = parse_flags(daemon_flags(), args);
    if (!flags) {
        std::cerr << "berthd: " << flags.error().message << "\nSee 'berthd --help'.\n";
        return 125;
    }
    if (flags->help) {
        std::cout << usage_text("berthd [OPTIONS]", "A container engine serving the Docker Engine API",
                                daemon_flags());
        return 0;
    }
    if (flags->enabled("version")) {
        std::cout << "berthd version " << BERTH_VERSION << "\n";
        return 0;
    }
    if (!flags->args.empty()) {
        std::cerr << "berthd: \"" << flags->args[0] << "\" is not a berthd option\nSee 'berthd --help'.\n";
        return 125;
    }
    std::set<std::string> given;
    auto cfg = config_from(*flags, given);
    if (!cfg) {
        std::cerr << "berthd: " << cfg.error().message << "\n";
        return 1;
    }
    log::set_level(to_log_level(cfg->log_level));
    return serve(std::move(*cfg));
}

}  // namespace berth::cli
