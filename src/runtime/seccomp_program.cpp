#include "runtime/seccomp_program.hpp"

#include <linux/seccomp.h>
#include <sys/mman.h>
#include <sys/syscall.h>
#include <sys/utsname.h>
#include <unistd.h>

#include <cstring>
#include <functional>

#include "base/file.hpp"
#include "base/text.hpp"
#include "oci/config_parse_internal.hpp"
#include "runtime/seccomp_filter.hpp"

namespace berth::runtime {

namespace {

unsigned int kernel_flags(const oci::Seccomp& s, bool uses_notify) {
    unsigned int flags = 0;
    for (const auto& f : s.flags) {
        if (f == "SECCOMP_FILTER_FLAG_TSYNC") flags |= SECCOMP_FILTER_FLAG_TSYNC;
        else if (f == "SECCOMP_FILTER_FLAG_LOG") flags |= SECCOMP_FILTER_FLAG_LOG;
        else if (f == "SECCOMP_FILTER_FLAG_SPEC_ALLOW") flags |= SECCOMP_FILTER_FLAG_SPEC_ALLOW;
#ifdef SECCOMP_FILTER_FLAG_WAIT_KILLABLE_RECV
        else if (f == "SECCOMP_FILTER_FLAG_WAIT_KILLABLE_RECV") flags |= SECCOMP_FILTER_FLAG_WAIT_KILLABLE_RECV;
#endif
    }
    if (uses_notify) flags |= SECCOMP_FILTER_FLAG_NEW_LISTENER;
    // The kernel refuses TSYNC with a listener unless told how to report a thread
    // that can't sync (libseccomp does the same).
    if ((flags & SECCOMP_FILTER_FLAG_TSYNC) && uses_notify) flags |= SECCOMP_FILTER_FLAG_TSYNC_ESRCH;
    return flags;
}

// What makes two compilations identical: the profile's text, the machine, libseccomp.
std::string cache_key(const oci::Seccomp& s) {
    utsname u{};
    ::uname(&u);
    return cat(oci::detail::seccomp_to_json(s).dump(), "\n", u.machine, "\n", SCMP_VER_MAJOR, ".", SCMP_VER_MINOR, ".",
               SCMP_VER_MICRO, "\n");
}

// Cache file: the key, a NUL, the flags and notify byte, then the instructions.
// The key is compared whole, so a hash collision can't load the wrong program.
std::string serialize(const std::string& key, const SeccompProgram& p) {
    std::string out = key;
    out.push_back('\0');
    out.append(reinterpret_cast<const char*>(&p.flags), sizeof p.flags);
    out.push_back(p.uses_notify ? 1 : 0);
    out.append(reinterpret_cast<const char*>(p.insns.data()), p.insns.size() * sizeof(sock_filter));
    return out;
}

std::optional<SeccompProgram> deserialize(const std::string& key, const std::string& data) {
    std::size_t head = key.size() + 1 + sizeof(unsigned int) + 1;
    if (data.size() < head || data.compare(0, key.size(), key) != 0 || data[key.size()] != '\0') return std::nullopt;
    std::size_t body = data.size() - head;
    if (body == 0 || body % sizeof(sock_filter) != 0) return std::nullopt;
    SeccompProgram p;
    std::memcpy(&p.flags, data.data() + key.size() + 1, sizeof p.flags);
    p.uses_notify = data[key.size() + 1 + sizeof p.flags] != 0;
    p.insns.resize(body / sizeof(sock_filter));
    std::memcpy(p.insns.data(), data.data() + head, body);
    return p;
}

Result<std::vector<sock_filter>> export_bpf(const SeccompFilter& f) {
    UniqueFd mem(static_cast<int>(::syscall(SYS_memfd_create, "seccomp-bpf", MFD_CLOEXEC)));
    if (!mem) return sys_fail("memfd_create");
    int rc = seccomp_export_bpf(f.get(), mem.get());
    if (rc < 0) return sys_fail("seccomp: export the filter as BPF", -rc);
    if (::lseek(mem.get(), 0, SEEK_SET) != 0) return sys_fail("lseek");
    auto bytes = BERTH_TRY(read_fd(mem.get()));
    if (bytes.empty() || bytes.size() % sizeof(sock_filter) != 0)
        return fail("seccomp: libseccomp exported a malformed program");
    std::vector<sock_filter> insns(bytes.size() / sizeof(sock_filter));
    std::memcpy(insns.data(), bytes.data(), bytes.size());
    return insns;
}

}  // namespace

Result<SeccompProgram> compile_seccomp(const oci::Seccomp& s, const std::string& cache_dir) {
    std::string key = cache_key(s);
    std::string path;
    if (!cache_dir.empty()) {
        path = cat(cache_dir, "/", std::to_string(std::hash<std::string>{}(key)), ".bpf");
        if (auto data = read_file(path))
            if (auto p = deserialize(key, *data)) return *p;
    }
    auto filter = BERTH_TRY(build_seccomp_filter(s));
    SeccompProgram p;
    p.uses_notify = filter.uses_notify();
    p.flags = kernel_flags(s, p.uses_notify);
    p.insns = BERTH_TRY(export_bpf(filter));
    if (!path.empty()) {
        // A cache that can't be written only costs the next start a compile.
        if (mkdir_p(cache_dir, 0700))
            (void)write_file_atomic(path, serialize(key, p), 0600, Durability::until_reboot);
    }
    return p;
}

Result<int> load_seccomp_program(const SeccompProgram& p) {
    sock_fprog prog{static_cast<unsigned short>(p.insns.size()), const_cast<sock_filter*>(p.insns.data())};
    long rc = ::syscall(SYS_seccomp, SECCOMP_SET_MODE_FILTER, p.flags, &prog);
    if (rc < 0) return sys_fail("load seccomp filter");
    if (!p.uses_notify) return -1;
    return static_cast<int>(rc);
}

}  // namespace berth::runtime
