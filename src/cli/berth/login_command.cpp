// berth login / logout: credentials checked by the daemon (POST /auth) and kept
// in berth's Docker-format config.json (registry_auth.hpp says where).
#include <unistd.h>

#include "base/json.hpp"
#include "base/strings.hpp"
#include "cli/berth/command.hpp"
#include "cli/berth/registry_auth.hpp"
#include "registry/credentials.hpp"

namespace berth::cli {
namespace {

Result<std::string> password_of(Session& session, const ParsedFlags& flags) {
    if (flags.enabled("password-stdin")) {
        if (flags.has("password")) return fail_as(ErrorKind::invalid_argument, "--password and --password-stdin are mutually exclusive");
        FdReader in(session.io().in);
        auto text = BERTH_TRY(read_all(in, 1 << 16));
        while (!text.empty() && (text.back() == '\n' || text.back() == '\r')) text.pop_back();
        return text;
    }
    if (flags.has("password")) {
        session.err("WARNING! Using --password via the CLI is insecure. Use --password-stdin.\n");
        return flags.value("password");
    }
    return fail_as(ErrorKind::invalid_argument, "no password given: use --password-stdin (or -p)");
}

Result<void> run_login(Session& session, const ParsedFlags& flags) {
    std::string server = flags.args.empty() ? "docker.io" : flags.args[0];
    std::string domain = registry::server_domain(server);
    registry::AuthConfig auth;
    auth.username = flags.value("username");
    if (auth.username.empty()) return fail_as(ErrorKind::invalid_argument, "no username given: use -u USERNAME");
    auth.password = BERTH_TRY(password_of(session, flags));
    auth.server_address = domain;
    Json body = {{"username", auth.username}, {"password", auth.password}, {"serveraddress", domain}};
    ApiClient* api = BERTH_TRY(session.api());
    auto resp = BERTH_TRY(api->call("POST", "/auth", {}, body.dump(), {{"Content-Type", "application/json"}}));
    BERTH_TRYV(resp.read_body());
    auto file = BERTH_TRY(registry::CredentialFile::load(berth_config_path()));
    file.set(domain, auth);
    BERTH_TRYV(file.save());
    return session.out("Login Succeeded\n");
}

Result<void> run_logout(Session& session, const ParsedFlags& flags) {
    std::string server = flags.args.empty() ? "docker.io" : flags.args[0];
    std::string domain = registry::server_domain(server);
    auto file = BERTH_TRY(registry::CredentialFile::load(berth_config_path()));
    if (!file.erase(domain)) return session.out("Not logged in to " + registry::credential_key(domain) + "\n");
    BERTH_TRYV(file.save());
    return session.out("Removing login credentials for " + registry::credential_key(domain) + "\n");
}

}  // namespace

Command login_command() {
    return {
        .path = "login",
        .usage = "[OPTIONS] [SERVER]",
        .description = "Log in to a registry",
        .flags =
            {
                {.long_name = "password", .short_name = 'p', .kind = FlagDef::String, .help = "Password"},
                {.long_name = "password-stdin", .help = "Take the password from stdin"},
                {.long_name = "username", .short_name = 'u', .kind = FlagDef::String, .help = "Username"},
            },
        .max_args = 1,
        .run = run_login,
    };
}

Command logout_command() {
    return {
        .path = "logout",
        .usage = "[SERVER]",
        .description = "Log out from a registry",
        .max_args = 1,
        .run = run_logout,
    };
}

}  // namespace berth::cli
