// Docker's JSON message stream as a response: progress and results of load,
// import, pull and push, one JSON object per chunk as the work goes on.
#pragma once

#include <mutex>

#include "http/response.hpp"
#include "base/json.hpp"
#include "base/result.hpp"
#include "registry/progress.hpp"

namespace berth::api {

class MessageStream {
  public:
    explicit MessageStream(http::ResponseWriter& w) : w_(w) {}

    // Begins the 200 chunked answer (once); false when the client is gone.
    bool start();
    // Whether the answer has begun: before, an error can still be an HTTP status.
    bool started() const;
    // Writes one message, starting the answer if needed. Safe from several threads.
    void send(const Json& msg);
    // The error message docker clients print ({"errorDetail":..., "error":...}).
    void fail(const Error& e);
    void end();

  private:
    bool start_locked();

    http::ResponseWriter& w_;
    mutable std::mutex mu_;
    bool started_ = false;
};

// A pull or push progress event as docker writes it: {"status","id",
// "progressDetail":{"current","total"}}.
Json progress_json(const registry::ProgressEvent& e);

}  // namespace berth::api
