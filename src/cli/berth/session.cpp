#include "cli/berth/command.hpp"

#include <unistd.h>

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

bool Session::confirmed(std::string_view warning) const {
    (void)out(std::string(warning) + "\nAre you sure you want to continue? [y/N] ");
    std::string line;
    char c = 0;
    while (::read(io_.in, &c, 1) == 1 && c != '\n') line += c;
    return line == "y" || line == "Y";
}

}  // namespace berth::cli
