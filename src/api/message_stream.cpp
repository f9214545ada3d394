#include "api/message_stream.hpp"

namespace berth::api {

bool MessageStream::start_locked() {
    if (started_) return true;
    started_ = w_.start_chunked(200, "application/json").has_value();
    return started_;
}

bool MessageStream::start() {
    std::lock_guard lock(mu_);
    return start_locked();
}

bool MessageStream::started() const {
    std::lock_guard lock(mu_);
    return started_;
}

void MessageStream::send(const Json& msg) {
    std::lock_guard lock(mu_);
    if (start_locked()) (void)w_.write_chunk(msg.dump() + "\n");
}

void MessageStream::fail(const Error& e) {
    send({{"errorDetail", {{"message", e.message}}}, {"error", e.message}});
}

void MessageStream::end() {
    std::lock_guard lock(mu_);
    if (started_) (void)w_.end_chunked();
}

Json progress_json(const registry::ProgressEvent& e) {
    Json j = {{"status", e.status}};
    if (!e.id.empty()) {
        j["id"] = e.id;
        if (e.plain) return j;
        Json detail = Json::object();
        if (e.current >= 0) detail["current"] = e.current;
        if (e.total > 0) detail["total"] = e.total;
        j["progressDetail"] = detail;
    }
    return j;
}

}  // namespace berth::api
