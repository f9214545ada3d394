// features and spec: what this runtime supports, and a starting config.json.
#include <fcntl.h>
#include <unistd.h>

#include <iostream>

#include "base/file.hpp"
#include "cli/runtime/args.hpp"
#include "cli/runtime/commands.hpp"
#include "oci/default_spec.hpp"
#include "runtime/features.hpp"

namespace berth::cli {

Result<int> cmd_features(const Globals&, const Argv& argv, size_t begin) {
    BERTH_TRYV(Args::parse(argv, begin, {}, false));
    std::cout << runtime::features_json().dump(4) << "\n";
    return 0;
}

Result<int> cmd_spec(const Globals&, const Argv& argv, size_t begin) {
    auto a = BERTH_TRY(
        Args::parse(argv, begin, {{"bundle", "b", true}, {"rootless", "", false}}, false));
    std::string path = path_join(a.get("bundle", "."), "config.json");
    // O_EXCL: like runc, never overwrite a config the user already has.
    int fd = ::open(path.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0666);
    if (fd < 0) {
        if (errno == EEXIST) return fail("File " + path + " exists. Remove it first");
        return sys_fail("create " + path);
    }
    UniqueFd f(fd);
    BERTH_TRYV(write_all(f.get(), oci::default_spec(a.has("rootless")).dump(4) + "\n"));
    return 0;
}

}  // namespace berth::cli
