// Docker's JSON message streams: the bodies of load, import, pull and push, a
// sequence of JSON objects ({"stream": "..."}, {"status": "...", "id": "..."},
// {"errorDetail": {...}, "error": "..."}) written as the daemon works.
#pragma once

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

// Reads every message, writing each rendered one to `out`; stops at the first error
// message and returns it as the error (docker prints it as is and exits 1).
Result<void> display_messages(ByteReader& in, ByteWriter& out);

}  // namespace berth::cli
