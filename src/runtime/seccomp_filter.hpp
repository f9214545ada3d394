// Builds a libseccomp filter from linux.seccomp and loads it. Internal to
// process_security: building is separate from loading so a bad profile fails
// before the process has changed anything, and so the load can happen at the
// point the capability order requires.
#pragma once

#include <seccomp.h>

#include "base/result.hpp"
#include "oci/config.hpp"

namespace berth::runtime {

// Owns a libseccomp filter context.
class SeccompFilter {
  public:
    SeccompFilter() = default;
    explicit SeccompFilter(scmp_filter_ctx ctx, bool uses_notify)
        : ctx_(ctx), uses_notify_(uses_notify) {}
    SeccompFilter(const SeccompFilter&) = delete;
    SeccompFilter& operator=(const SeccompFilter&) = delete;
    SeccompFilter(SeccompFilter&& o) noexcept;
    SeccompFilter& operator=(SeccompFilter&& o) noexcept;
    ~SeccompFilter();

    scmp_filter_ctx get() const { return ctx_; }
    bool uses_notify() const { return uses_notify_; }

  private:
    scmp_filter_ctx ctx_ = nullptr;
    bool uses_notify_ = false;
};

// Validates `s` and turns it into a filter (nothing is loaded yet).
Result<SeccompFilter> build_seccomp_filter(const oci::Seccomp& s);

// Loads the filter into the calling process. Returns the notify listener fd
// (close-on-exec, owned by the caller) when the filter uses SCMP_ACT_NOTIFY, else -1.
// The filter applies to every syscall made after this returns.
Result<int> load_seccomp_filter(const SeccompFilter& filter);

}  // namespace berth::runtime
