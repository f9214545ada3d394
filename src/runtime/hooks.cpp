#include "runtime/hooks.hpp"

#include "base/process.hpp"
#include "base/strings.hpp"

namespace berth::runtime {

namespace {

// The hook's own words, trimmed, for the error: stderr, else stdout (runc reports
// both; a hook that fails usually says why on one of them).
std::string hook_output(const ProgramResult& r) {
    std::string_view s = trim(r.stderr_text);
    if (s.empty()) s = trim(r.stdout_text);
    return std::string(s);
}

Result<void> run_hook(const oci::Hook& hook, const std::string& state_json) {
    ProgramSpec spec;
    spec.path = hook.path;
    spec.argv = hook.args;
    spec.env = hook.env;
    spec.stdin_data = state_json;
    if (hook.timeout && *hook.timeout > 0) spec.timeout = std::chrono::seconds(*hook.timeout);
    auto r = BERTH_TRY(run_program(spec));
    if (r.ok()) return {};
    std::string msg = r.describe_end(spec);
    if (std::string out = hook_output(r); !out.empty()) msg += ": " + out;
    return fail(std::move(msg));
}

}  // namespace

Result<void> run_hooks(const std::vector<oci::Hook>& hooks, std::string_view phase,
                       const std::string& state_json) {
    for (std::size_t i = 0; i < hooks.size(); ++i) {
        BERTH_TRYV_CTX(
            run_hook(hooks[i], state_json),
            std::string(phase) + " hook #" + std::to_string(i) + " (" + hooks[i].path + ")");
    }
    return {};
}

}  // namespace berth::runtime
