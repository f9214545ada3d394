#include "image/platform.hpp"

#include <sys/utsname.h>

#include <algorithm>
#include <array>
#include <cctype>

#include "base/strings.hpp"

namespace berth::image {

namespace {

constexpr std::array kKnownOs{"aix",     "android", "darwin",  "dragonfly", "freebsd", "hurd",
                              "illumos", "ios",     "js",      "linux",     "nacl",    "netbsd",
                              "openbsd", "plan9",   "solaris", "wasip1",    "windows", "zos"};
constexpr std::array kKnownArch{"386",   "amd64",   "amd64p32", "arm",    "arm64",   "arm64be",
                                "armbe", "loong64", "mips",     "mipsle", "mips64",  "mips64le",
                                "ppc",   "ppc64",   "ppc64le",  "riscv",  "riscv64", "s390",
                                "s390x", "sparc",   "sparc64",  "wasm"};

template <size_t N>
bool contains(const std::array<const char*, N>& names, std::string_view s) {
    return std::find(names.begin(), names.end(), s) != names.end();
}

std::string lower(std::string_view s) {
    std::string out(s);
    std::transform(out.begin(), out.end(), out.begin(),
                   [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
    return out;
}

// "v7" -> 7 for arm variants; 0 when the variant is not of that form.
int arm_version(std::string_view variant) {
    if (variant.size() != 2 || variant[0] != 'v' || variant[1] < '5' || variant[1] > '8') return 0;
    return variant[1] - '0';
}

// containerd's platform specifier syntax: each part is [A-Za-z0-9_-]+.
bool valid_specifier(std::string_view s) {
    return !s.empty() && std::all_of(s.begin(), s.end(), [](unsigned char c) {
        return std::isalnum(c) || c == '_' || c == '-';
    });
}

}  // namespace

std::string Platform::str() const {
    std::string s = os + "/" + architecture;
    if (!variant.empty()) s += "/" + variant;
    return s;
}

Platform normalize_platform(Platform p) {
    p.os = lower(p.os);
    if (p.os == "macos") p.os = "darwin";
    p.architecture = lower(p.architecture);
    p.variant = lower(p.variant);
    if (!p.variant.empty() && p.variant[0] != 'v' &&
        std::all_of(p.variant.begin(), p.variant.end(),
                    [](unsigned char c) { return std::isdigit(c) != 0; }))
        p.variant = "v" + p.variant;
    const std::string& a = p.architecture;
    if (a == "i386" || a == "i686") {
        p.architecture = "386";
    } else if (a == "x86_64" || a == "x86-64") {
        p.architecture = "amd64";
    } else if (a == "aarch64" || a == "arm64") {
        p.architecture = "arm64";
        if (p.variant.empty()) p.variant = "v8";  // every arm64 CPU is at least ARMv8
    } else if (a == "armhf") {
        p.architecture = "arm";
        p.variant = "v7";  // Debian's armhf baseline
    } else if (a == "armel") {
        p.architecture = "arm";
        p.variant = "v6";
    } else if (a == "arm" && p.variant.empty()) {
        p.variant = "v7";  // what images built without a variant target in practice
    }
    return p;
}

Platform platform_for_machine(std::string_view machine) {
    Platform p{.os = "linux"};
    if (machine.starts_with("armv") && machine.size() >= 5) {
        p.architecture = "arm";
        p.variant = std::string("v") + machine[4];
        return normalize_platform(p);
    }
    if (machine.size() == 4 && machine[0] == 'i' && machine.substr(2) == "86") {
        p.architecture = "386";
        return p;
    }
    if (machine == "loongarch64") {
        p.architecture = "loong64";
        return p;
    }
    p.architecture = machine;
    return normalize_platform(p);
}

const Platform& host_platform() {
    static const Platform host = [] {
        struct utsname u {};
        ::uname(&u);
        return platform_for_machine(u.machine);
    }();
    return host;
}

Result<Platform> parse_platform(std::string_view text) {
    auto parts = split(text, '/');
    auto bad = [&](std::string_view why) {
        return fail("invalid platform \"" + std::string(text) + "\": " + std::string(why));
    };
    if (parts.size() > 3) return bad("want os[/arch[/variant]]");
    for (auto& part : parts)
        if (!valid_specifier(part)) return bad("each part must be letters, digits, '_' or '-'");
    Platform p;
    if (parts.size() == 1) {
        std::string one = lower(parts[0]);
        if (contains(kKnownOs, one)) {
            p = host_platform();
            p.os = one;
        } else {
            p = normalize_platform(Platform{.architecture = one, .os = host_platform().os});
            if (!contains(kKnownArch, p.architecture))
                return bad("unknown operating system or architecture");
        }
        return p;
    }
    p.os = parts[0];
    p.architecture = parts[1];
    if (parts.size() == 3) p.variant = parts[2];
    return normalize_platform(std::move(p));
}

int platform_match_rank(const Platform& want_in, const Platform& have_in) {
    Platform want = normalize_platform(want_in), have = normalize_platform(have_in);
    if (want.os != have.os || want.architecture != have.architecture) return -1;
    if (!want.os_version.empty() && want.os_version != have.os_version) return -1;
    if (want.variant == have.variant) return 0;
    if (want.architecture == "arm") {
        // Each ARM architecture version runs the code of the older ones.
        int w = arm_version(want.variant), h = arm_version(have.variant);
        if (w && h && h < w) return w - h;
        return -1;
    }
    if (want.variant.empty()) return 10;  // any variant will do, but equal ones come first
    return -1;
}

bool platform_matches(const Platform& want, const Platform& have) {
    return platform_match_rank(want, have) >= 0;
}

}  // namespace berth::image
