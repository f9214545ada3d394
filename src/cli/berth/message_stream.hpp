// Docker's JSON message streams: the bodies of load, import, pull and push, a
// sequence of JSON objects ({"stream": "..."}, {"status": "...", "id": "..."},
// {"errorDetail": {...}, "error": "..."}) written as the daemon works.
#pragma once

#include <map>
#include <optional>
#include <string>

#include "base/json.hpp"
#include "base/result.hpp"
#include "base/stream.hpp"

namespace berth::cli {

// Splits a byte stream into whole JSON values, whatever the read boundaries and
// whether or not newlines separate them (Go's json.Decoder accepts both).
class JsonMessageReader {
  public:
    explicit JsonMessageReader(ByteReader& in) : in_(in) {}
    // The next value; nullopt at the end of the stream. A stream that ends inside a
    // value, or a value that is not JSON, is an error.
    Result<std::optional<Json>> next();

  private:
    std::optional<size_t> complete_value_end() const;

    ByteReader& in_;
    std::string buffer_;
    bool eof_ = false;
};

// One message as docker's non-terminal display prints it: a "stream" text as is, a
// status as "<id>: <status>\n" ("<status>\n" without id). Progress-bar updates
// and error messages print nothing: see message_error.
std::string render_message(const Json& message);

// The error a message reports ({"errorDetail": {"message": m}} or {"error": m}), if any.
std::optional<std::string> message_error(const Json& message);

// A progressDetail ({"current","total"}) as docker draws it on a terminal `width`
// columns wide: "[=========>      ]  12.35MB/45.6MB" — the bar only when wider
// than 110 columns, the counts alone ("  12.35MB") without a total; "" when the
// detail says nothing. (docker adds an estimate of time left when the daemon sends
// a "start" time; neither dockerd nor berthd sends one.)
std::string progress_text(const Json& detail, int width);

// Docker's terminal display: a message with an id and a progressDetail owns a line
// (added the first time its id is seen) that later messages for that id rewrite in
// place — cursor up to it, erase, write, cursor back down (ANSI CSI A/B, 2K). Any
// other message is printed as a new line and forgets the lines so far, so a later
// tag's layers start afresh.
class TerminalRenderer {
  public:
    explicit TerminalRenderer(int width) : width_(width) {}
    // The bytes to write for `message`.
    std::string render(const Json& message);

  private:
    int width_;
    std::map<std::string, std::size_t> lines_;  // id -> its line, counted from the first
};

// The width of the terminal on `fd`, or nullopt when `fd` is not a terminal.
// A terminal whose size cannot be read counts as 200 columns, as in docker.
std::optional<int> terminal_width(int fd);

// Reads every message, writing each rendered one to `out` — with TerminalRenderer
// when `terminal_width` is given, else as render_message; stops at the first error
// message and returns it as the error (docker prints it as is and exits 1).
Result<void> display_messages(ByteReader& in, ByteWriter& out,
                              std::optional<int> terminal_width = std::nullopt);

}  // namespace berth::cli
