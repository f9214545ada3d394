#include "cli/berth/container_session.hpp"

#include <signal.h>

#include <chrono>
#include <condition_variable>
#include <mutex>
#include <thread>

#include "base/strings.hpp"

namespace berth::cli {

Result<http::HijackedStream> attach_container(ApiClient& api, const std::string& id,
                                              const AttachStreams& streams,
                                              const std::string& detach_keys) {
    QueryParams query = {{"stream", "1"}};
    if (streams.in) query.emplace_back("stdin", "1");
    if (streams.out) query.emplace_back("stdout", "1");
    if (streams.err) query.emplace_back("stderr", "1");
    if (!detach_keys.empty()) query.emplace_back("detachKeys", detach_keys);
    return api.hijack("POST", "/containers/" + path_escape(id) + "/attach", query);
}

struct ExitWaiter::State {
    std::mutex mutex;
    std::condition_variable changed;
    bool head_seen = false;
    bool done = false;
    Result<int> result = 0;
    std::thread thread;
};

namespace {

Result<int> wait_exit(const std::string& host, const std::string& id, const std::string& condition,
                      const std::function<void()>& on_head) {
    auto api = BERTH_TRY(ApiClient::connect(host));
    auto resp =
        api.call("POST", "/containers/" + path_escape(id) + "/wait", {{"condition", condition}});
    on_head();
    if (!resp) return std::unexpected(std::move(resp.error()));
    std::string body = BERTH_TRY(resp->read_body());
    Json answer = BERTH_TRY(parse_json(body, "wait answer"));
    if (answer.contains("Error") && answer["Error"].is_object() &&
        answer["Error"].contains("Message"))
        return fail(answer["Error"]["Message"].get<std::string>());
    if (!answer.contains("StatusCode") || !answer["StatusCode"].is_number())
        return fail("wait answer without StatusCode");
    return answer["StatusCode"].get<int>();
}

}  // namespace

Result<ExitWaiter> ExitWaiter::start(const std::string& host, const std::string& id,
                                     const std::string& condition) {
    auto state = std::make_shared<State>();
    state->thread = std::thread([state, host, id, condition] {
        // Signals are the main thread's to forward (its signalfd), never this one's.
        sigset_t all;
        sigfillset(&all);
        (void)pthread_sigmask(SIG_BLOCK, &all, nullptr);
        auto mark_head = [&] {
            std::lock_guard lock(state->mutex);
            state->head_seen = true;
            state->changed.notify_all();
        };
        auto result = wait_exit(host, id, condition, mark_head);
        std::lock_guard lock(state->mutex);
        state->result = std::move(result);
        state->head_seen = state->done = true;
        state->changed.notify_all();
    });
    std::unique_lock lock(state->mutex);
    // dockerd answers the head at once when a condition is given; a daemon that
    // holds it back still gets its request before our start, give or take the wire.
    state->changed.wait_for(lock, std::chrono::seconds(5), [&] { return state->head_seen; });
    if (state->done && !state->result) {
        auto error = state->result.error();
        lock.unlock();
        return std::unexpected(std::move(error));
    }
    return ExitWaiter(state);
}

ExitWaiter::~ExitWaiter() {
    if (!state_ || !state_->thread.joinable()) return;
    std::unique_lock lock(state_->mutex);
    bool done = state_->done;
    lock.unlock();
    // A wait that will never end (the container did not start, or we detached) is
    // left to the exit of the process; its thread owns everything it touches.
    if (done)
        state_->thread.join();
    else
        state_->thread.detach();
}

Result<int> ExitWaiter::status() {
    std::unique_lock lock(state_->mutex);
    state_->changed.wait(lock, [&] { return state_->done; });
    return state_->result;
}

namespace {

void send_resize(ApiClient& api, const std::string& path, int fd) {
    auto size = terminal_size(fd);
    if (!size) return;
    // Best effort, as docker's: a resize refused does not end the session.
    (void)api.call("POST", path,
                   {{"h", std::to_string(size->first)}, {"w", std::to_string(size->second)}});
}

}  // namespace

Result<PumpEnd> stream_session(Session& session, http::HijackedStream stream,
                               const StreamSession& options) {
    const Io& io = session.io();
    auto raw = BERTH_TRY(options.tty && options.send_stdin
                             ? RawTerminal::enable(io.in)
                             : Result<std::optional<RawTerminal>>(std::nullopt));
    std::vector<int> signals;
    if (options.tty) signals.push_back(SIGWINCH);
    if (options.sig_proxy && !options.tty)
        for (int s : {SIGINT, SIGTERM, SIGHUP, SIGQUIT, SIGUSR1, SIGUSR2}) signals.push_back(s);
    std::optional<SignalWatch> watch;
    if (!signals.empty()) watch.emplace(BERTH_TRY(SignalWatch::watch(signals)));
    ApiClient* api = BERTH_TRY(session.api());
    int size_fd = isatty(io.out) ? io.out : io.in;
    if (options.tty) send_resize(*api, options.resize_path, size_fd);
    PumpOptions pump{.tty = options.tty, .send_stdin = options.send_stdin};
    if (options.tty && options.send_stdin)
        pump.detach_sequence = BERTH_TRY(
            parse_detach_keys(options.detach_keys.empty() ? "ctrl-p,ctrl-q" : options.detach_keys));
    if (watch) {
        pump.signals = &*watch;
        pump.on_signal = [&](int signo) {
            if (signo == SIGWINCH) return send_resize(*api, options.resize_path, size_fd);
            (void)api->call("POST", "/containers/" + path_escape(options.id) + "/kill",
                            {{"signal", std::to_string(signo)}});
        };
    }
    return pump_streams(stream.fd.get(), std::move(stream.buffered), io, pump);
}

Result<Json> inspect_container(ApiClient& api, const std::string& name) {
    auto info = api.get_json("/containers/" + path_escape(name) + "/json");
    if (!info && info.error().kind == ErrorKind::not_found)
        return fail_as(ErrorKind::not_found, "Error: No such container: " + name);
    return info;
}

int start_failure_status(const std::string& message) {
    if (message.find("executable file not found") != std::string::npos ||
        message.find("no such file or directory") != std::string::npos)
        return 127;
    if (message.find("permission denied") != std::string::npos) return 126;
    return 125;
}

void report_error(Session& session, const std::string& message, const std::string& help_of) {
    std::string text(message);
    while (!text.empty() && text.back() == '.') text.pop_back();
    text = "berth: " + text + ".";
    if (!help_of.empty()) text += "\nSee 'berth " + help_of + " --help'.";
    session.err(text + "\n");
}

}  // namespace berth::cli
