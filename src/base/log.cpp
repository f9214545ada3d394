#include "base/log.hpp"

#include <fcntl.h>
#include <unistd.h>

#include <string>

#include "base/json.hpp"
#include "base/time.hpp"

namespace berth::log {
namespace {

int g_fd = STDERR_FILENO;
Format g_format = Format::text;
Level g_level = Level::warn;

const char* level_name(Level l) {
    switch (l) {
        case Level::debug:
            return "debug";
        case Level::info:
            return "info";
        case Level::warn:
            return "warning";
        case Level::error:
            return "error";
    }
    return "error";
}

}  // namespace

bool set_file(const char* path) {
    int fd = ::open(path, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0644);
    if (fd < 0) return false;
    if (g_fd != STDERR_FILENO) ::close(g_fd);
    g_fd = fd;
    return true;
}

bool to_file() {
    return g_fd != STDERR_FILENO;
}
void set_format(Format f) {
    g_format = f;
}
bool enabled(Level l) { return l >= g_level; }

void set_level(Level l) {
    g_level = l;
}

void write(Level l, std::string_view msg) {
    if (l < g_level) return;
    std::string line;
    if (g_format == Format::json) {
        nlohmann::json j = {{"level", level_name(l)}, {"msg", msg}, {"time", rfc3339_now()}};
        line = j.dump();
    } else {
        // logrus's text format, which runc prints and tools that drive runc parse.
        line = "time=\"" + rfc3339_now() + "\" level=" + level_name(l) +
               " msg=" + nlohmann::json(msg).dump();
    }
    line += '\n';
    // One write per line so concurrent writers (container init, runtime) don't interleave.
    [[maybe_unused]] auto r = ::write(g_fd, line.data(), line.size());
}

}  // namespace berth::log
