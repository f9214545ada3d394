#include "cli/berth/command.hpp"

#include "base/stream.hpp"

namespace berth::cli {

Result<ApiClient*> Session::api() {
    if (!api_) api_ = BERTH_TRY(ApiClient::connect(host_));
    return &*api_;
}

Result<void> Session::out(std::string_view text) const {
    FdWriter writer(io_.out);
    return writer.write(text);
}

void Session::err(std::string_view text) const {
    FdWriter writer(io_.err);
    (void)writer.write(text);  // nowhere left to report a failing stderr
}

}  // namespace berth::cli
