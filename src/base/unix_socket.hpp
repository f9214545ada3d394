// Unix-domain socket helpers: connect by path and pass one fd with SCM_RIGHTS.
#pragma once

#include <string>
#include <string_view>

#include "base/result.hpp"
#include "base/unique_fd.hpp"

namespace berth {

Result<UniqueFd> connect_unix(const std::string& path);
// Sends `fd` with `data` as the message bytes (at least one byte is sent).
Result<void> send_fd(int sock, int fd, std::string_view data);
struct ReceivedFd {
    UniqueFd fd;
    std::string data;
};
// An invalid fd (and no error) when the peer closed without sending one.
Result<ReceivedFd> recv_fd(int sock);

}  // namespace berth
