// Relaying a hijacked client connection to a monitor's stream socket (attach and
// exec): output frames from the monitor reach the client as Docker's multiplexed
// stdcopy frames, or as raw bytes for a tty; the client's bytes go to stdin, with
// the detach key sequence (ctrl-p,ctrl-q by default) ending the session instead.
#pragma once

#include <functional>
#include <optional>
#include <string>

#include "base/result.hpp"
#include "base/unique_fd.hpp"

namespace berth::api {

// Parses Docker's detach keys ("ctrl-p,ctrl-q", "a,ctrl-@"); errors name the key.
Result<std::string> parse_detach_keys(std::string_view spec);

struct RelayOptions {
    bool tty = false;             // strip the frames: the client wants raw bytes
    bool forward_stdin = false;   // copy the client's bytes to the monitor
    std::string detach_keys;      // empty: none
    // Called with each frame of stream 3 (the monitor's control messages: exec's exit).
    std::function<void(std::string_view)> on_control;
};

enum class RelayEnd { output_closed, client_gone, detached };

// Runs until the monitor closes the stream (the process ended), the client goes,
// or it types the detach keys. `client_buffered` are stdin bytes already read.
RelayEnd relay_stream(int client_fd, std::string client_buffered, int monitor_fd, const RelayOptions& o);

}  // namespace berth::api
