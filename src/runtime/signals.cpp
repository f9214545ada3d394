#include "runtime/signals.hpp"

#include <cctype>
#include <csignal>

#include "base/strings.hpp"

namespace berth::runtime {
namespace {

struct SignalName {
    const char* name;
    int number;
};

constexpr SignalName kSignals[] = {
    {"HUP", SIGHUP},       {"INT", SIGINT},   {"QUIT", SIGQUIT},     {"ILL", SIGILL},
    {"TRAP", SIGTRAP},     {"ABRT", SIGABRT}, {"IOT", SIGIOT},       {"BUS", SIGBUS},
    {"FPE", SIGFPE},       {"KILL", SIGKILL}, {"USR1", SIGUSR1},     {"SEGV", SIGSEGV},
    {"USR2", SIGUSR2},     {"PIPE", SIGPIPE}, {"ALRM", SIGALRM},     {"TERM", SIGTERM},
    {"STKFLT", SIGSTKFLT}, {"CHLD", SIGCHLD}, {"CONT", SIGCONT},     {"STOP", SIGSTOP},
    {"TSTP", SIGTSTP},     {"TTIN", SIGTTIN}, {"TTOU", SIGTTOU},     {"URG", SIGURG},
    {"XCPU", SIGXCPU},     {"XFSZ", SIGXFSZ}, {"VTALRM", SIGVTALRM}, {"PROF", SIGPROF},
    {"WINCH", SIGWINCH},   {"IO", SIGIO},     {"POLL", SIGPOLL},     {"PWR", SIGPWR},
    {"SYS", SIGSYS},
};

}  // namespace

std::optional<int> parse_signal(std::string_view s) {
    if (auto n = parse_int(s)) {
        if (*n > 0 && *n <= SIGRTMAX) return static_cast<int>(*n);
        return std::nullopt;
    }
    std::string up;
    for (char c : s) up += static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
    std::string_view v = up;
    if (v.starts_with("SIG")) v.remove_prefix(3);
    for (auto& e : kSignals)
        if (v == e.name) return e.number;
    // Real-time signals: RTMIN, RTMIN+n, RTMAX-n.
    auto rt = [&](std::string_view base, int origin, int dir) -> std::optional<int> {
        if (!v.starts_with(base)) return std::nullopt;
        std::string_view rest = v.substr(base.size());
        if (rest.empty()) return origin;
        if (rest[0] != (dir > 0 ? '+' : '-')) return std::nullopt;
        auto n = parse_int(rest.substr(1));
        if (!n || *n < 0) return std::nullopt;
        int sig = origin + dir * static_cast<int>(*n);
        if (sig < SIGRTMIN || sig > SIGRTMAX) return std::nullopt;
        return sig;
    };
    if (auto r = rt("RTMIN", SIGRTMIN, 1)) return r;
    if (auto r = rt("RTMAX", SIGRTMAX, -1)) return r;
    return std::nullopt;
}

std::string signal_name(int sig) {
    for (auto& e : kSignals)
        if (e.number == sig) return std::string("SIG") + e.name;
    if (sig == SIGRTMIN) return "SIGRTMIN";
    if (sig > SIGRTMIN && sig <= SIGRTMAX) return "SIGRTMIN+" + std::to_string(sig - SIGRTMIN);
    return "SIG" + std::to_string(sig);
}


}  // namespace berth::runtime
