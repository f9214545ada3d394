// Process-wide logging. Plain text to stderr by default; the runc command line's
// --log FILE and --log-format text|json redirect it (a driving tool such as
// containerd reads the JSON lines back).
#pragma once

#include <string_view>

namespace berth::log {

enum class Level { debug, info, warn, error };
enum class Format { text, json };

// Sends log lines to `path` (appending) instead of stderr. Returns false and keeps
// stderr when the file can't be opened.
bool set_file(const char* path);
bool to_file();  // set_file() took effect
void set_format(Format f);
void set_level(Level l);
// Whether messages of level `l` are written (to skip building costly ones).
bool enabled(Level l);

void write(Level l, std::string_view msg);
inline void debug(std::string_view m) {
    write(Level::debug, m);
}
inline void info(std::string_view m) {
    write(Level::info, m);
}
inline void warn(std::string_view m) {
    write(Level::warn, m);
}
inline void error(std::string_view m) {
    write(Level::error, m);
}

}  // namespace berth::log
