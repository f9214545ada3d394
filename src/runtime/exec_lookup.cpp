#include "runtime/exec_lookup.hpp"

#include <fcntl.h>
#include <linux/close_range.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "base/file.hpp"
#include "base/passwd.hpp"
#include "base/strings.hpp"

namespace berth::runtime {

static constexpr const char* kDefaultPath =
    "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin";

static bool is_executable_file(const std::string& p) {
    struct stat st {};
    return ::stat(p.c_str(), &st) == 0 && S_ISREG(st.st_mode) && ::access(p.c_str(), X_OK) == 0;
}

Result<std::string> find_executable(const std::string& name, const std::vector<std::string>& env,
                                    bool* not_found) {
    *not_found = false;
    if (name.find('/') != std::string::npos) {
        struct stat st {};
        if (::stat(name.c_str(), &st) != 0) {
            *not_found = errno == ENOENT;
            return sys_fail("exec: \"" + name + "\": stat " + name);
        }
        if (S_ISDIR(st.st_mode)) return fail("exec: \"" + name + "\": is a directory");
        return name;
    }
    std::string path = kDefaultPath;
    for (auto& e : env)
        if (e.starts_with("PATH=")) path = e.substr(5);
    for (auto& dir : split(path, ':')) {
        std::string cand = path_join(dir.empty() ? "." : dir, name);
        if (is_executable_file(cand)) return cand;
    }
    *not_found = true;
    return fail("exec: \"" + name + "\": executable file not found in $PATH");
}

std::vector<std::string> with_home(std::vector<std::string> env, unsigned uid) {
    for (auto& e : env)
        if (e.starts_with("HOME=")) return env;
    auto entry = lookup_uid("/etc/passwd", uid);
    env.push_back("HOME=" + (entry ? entry->home : std::string("/")));
    return env;
}

Result<void> mark_inherited_fds(int preserve_fds) {
    for (int fd = 3; fd < 3 + preserve_fds; ++fd) {
        int flags = ::fcntl(fd, F_GETFD);
        if (flags >= 0) ::fcntl(fd, F_SETFD, flags & ~FD_CLOEXEC);
    }
    if (::syscall(SYS_close_range, 3 + preserve_fds, ~0U, CLOSE_RANGE_CLOEXEC) != 0)
        return sys_fail("close_range");
    return {};
}

Result<void> exec_process(const std::vector<std::string>& args, const std::vector<std::string>& env,
                          int* exit_code_on_failure) {
    bool not_found = false;
    auto path = find_executable(args.at(0), env, &not_found);
    if (!path) {
        *exit_code_on_failure = not_found ? 127 : 126;
        return std::unexpected(std::move(path.error()));
    }
    std::vector<char*> argv, envp;
    for (auto& a : args) argv.push_back(const_cast<char*>(a.c_str()));
    argv.push_back(nullptr);
    for (auto& e : env) envp.push_back(const_cast<char*>(e.c_str()));
    envp.push_back(nullptr);
    ::execve(path->c_str(), argv.data(), envp.data());
    *exit_code_on_failure = errno == ENOENT ? 127 : 126;
    return sys_fail("exec: \"" + args[0] + "\"");
}

}  // namespace berth::runtime
