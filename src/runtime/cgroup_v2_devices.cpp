// cgroup v2 has no devices.allow/deny: device access is decided by an eBPF
// program of type BPF_PROG_TYPE_CGROUP_DEVICE attached to the cgroup
// (cgroup-v2.rst "Device controller"). We build it from the OCI rules.
#include <fcntl.h>
#include <linux/bpf.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <cstring>

#include "base/file.hpp"
#include "runtime/cgroup_internal.hpp"

namespace berth::runtime::cgroup_detail {

namespace {

// Registers: r1 = struct bpf_cgroup_dev_ctx*, r0 = verdict (1 allow, 0 deny).
// After the prologue: r2 = device type, r3 = access bits, r4 = major, r5 = minor.
constexpr uint8_t R0 = 0, R1 = 1, R2 = 2, R3 = 3, R4 = 4, R5 = 5;

bpf_insn insn(uint8_t code, uint8_t dst, uint8_t src, int16_t off, int32_t imm) {
    bpf_insn i{};
    i.code = code;
    i.dst_reg = dst & 0xf;
    i.src_reg = src & 0xf;
    i.off = off;
    i.imm = imm;
    return i;
}
bpf_insn load_u32(uint8_t dst, uint8_t src, int16_t off) {
    return insn(BPF_LDX | BPF_MEM | BPF_W, dst, src, off, 0);
}
bpf_insn alu32_imm(uint8_t op, uint8_t dst, int32_t imm) {
    return insn(BPF_ALU | op | BPF_K, dst, 0, 0, imm);
}
bpf_insn mov64_reg(uint8_t dst, uint8_t src) {
    return insn(BPF_ALU64 | BPF_MOV | BPF_X, dst, src, 0, 0);
}
bpf_insn mov64_imm(uint8_t dst, int32_t imm) {
    return insn(BPF_ALU64 | BPF_MOV | BPF_K, dst, 0, 0, imm);
}
bpf_insn jne_imm(uint8_t dst, int32_t imm, int16_t off) {
    return insn(BPF_JMP | BPF_JNE | BPF_K, dst, 0, off, imm);
}
bpf_insn exit_insn() {
    return insn(BPF_JMP | BPF_EXIT, 0, 0, 0, 0);
}

void emit_prologue(std::vector<bpf_insn>& p) {
    // access_type holds the device type in its low 16 bits, the access in the high.
    p.push_back(load_u32(R2, R1, offsetof(bpf_cgroup_dev_ctx, access_type)));
    p.push_back(alu32_imm(BPF_AND, R2, 0xffff));
    p.push_back(load_u32(R3, R1, offsetof(bpf_cgroup_dev_ctx, access_type)));
    p.push_back(alu32_imm(BPF_RSH, R3, 16));
    p.push_back(load_u32(R4, R1, offsetof(bpf_cgroup_dev_ctx, major)));
    p.push_back(load_u32(R5, R1, offsetof(bpf_cgroup_dev_ctx, minor)));
}

int32_t access_mask(const std::string& access) {
    if (access.empty()) return BPF_DEVCG_ACC_MKNOD | BPF_DEVCG_ACC_READ | BPF_DEVCG_ACC_WRITE;
    int32_t mask = 0;
    for (char c : access) {
        if (c == 'r') mask |= BPF_DEVCG_ACC_READ;
        if (c == 'w') mask |= BPF_DEVCG_ACC_WRITE;
        if (c == 'm') mask |= BPF_DEVCG_ACC_MKNOD;
    }
    return mask;
}

// One rule: a run of checks, each jumping past the block on mismatch, then the
// rule's verdict. Jump targets are filled in once the block's length is known.
std::vector<bpf_insn> rule_block(const oci::DeviceRule& r) {
    std::vector<bpf_insn> b;
    constexpr int16_t to_end = 0;  // patched below
    if (r.type == "c") b.push_back(jne_imm(R2, BPF_DEVCG_DEV_CHAR, to_end));
    if (r.type == "b") b.push_back(jne_imm(R2, BPF_DEVCG_DEV_BLOCK, to_end));
    int32_t mask = access_mask(r.access);
    if (mask != (BPF_DEVCG_ACC_MKNOD | BPF_DEVCG_ACC_READ | BPF_DEVCG_ACC_WRITE)) {
        // Matches when every requested bit is one the rule names.
        b.push_back(mov64_reg(R1, R3));
        b.push_back(alu32_imm(BPF_AND, R1, ~mask));
        b.push_back(jne_imm(R1, 0, to_end));
    }
    if (r.major && *r.major >= 0) b.push_back(jne_imm(R4, static_cast<int32_t>(*r.major), to_end));
    if (r.minor && *r.minor >= 0) b.push_back(jne_imm(R5, static_cast<int32_t>(*r.minor), to_end));
    b.push_back(mov64_imm(R0, r.allow ? 1 : 0));
    b.push_back(exit_insn());
    for (size_t i = 0; i < b.size(); ++i)
        if (b[i].code == (BPF_JMP | BPF_JNE | BPF_K))
            b[i].off = static_cast<int16_t>(b.size() - i - 1);
    return b;
}

long bpf(int cmd, bpf_attr& attr) {
    return ::syscall(SYS_bpf, cmd, &attr, sizeof attr);
}

Result<UniqueFd> load_program(const std::vector<bpf_insn>& prog) {
    static char license[] = "Apache-2.0";
    std::string log(64 * 1024, '\0');
    bpf_attr attr{};
    attr.prog_type = BPF_PROG_TYPE_CGROUP_DEVICE;
    attr.insns = reinterpret_cast<uintptr_t>(prog.data());
    attr.insn_cnt = static_cast<uint32_t>(prog.size());
    attr.license = reinterpret_cast<uintptr_t>(license);
    attr.log_buf = reinterpret_cast<uintptr_t>(log.data());
    attr.log_size = static_cast<uint32_t>(log.size());
    attr.log_level = 1;
    long fd = bpf(BPF_PROG_LOAD, attr);
    if (fd < 0) {
        int err = errno;
        log.resize(std::strlen(log.c_str()));
        return sys_fail("bpf(BPF_PROG_LOAD) device filter" + (log.empty() ? "" : " [" + log + "]"),
                        err);
    }
    return UniqueFd(static_cast<int>(fd));
}

// Ids of the device programs attached to the cgroup itself right now.
Result<std::vector<uint32_t>> attached_programs(int cgroup_fd, const std::string& dir) {
    std::vector<uint32_t> ids(64);
    bpf_attr attr{};
    attr.query.target_fd = static_cast<uint32_t>(cgroup_fd);
    attr.query.attach_type = BPF_CGROUP_DEVICE;
    attr.query.prog_ids = reinterpret_cast<uintptr_t>(ids.data());
    attr.query.prog_cnt = static_cast<uint32_t>(ids.size());
    if (bpf(BPF_PROG_QUERY, attr) != 0) return sys_fail("bpf(BPF_PROG_QUERY) " + dir);
    ids.resize(attr.query.prog_cnt);
    return ids;
}

Result<void> attach(int cgroup_fd, int prog_fd, const std::string& dir) {
    bpf_attr attr{};
    attr.target_fd = static_cast<uint32_t>(cgroup_fd);
    attr.attach_bpf_fd = static_cast<uint32_t>(prog_fd);
    attr.attach_type = BPF_CGROUP_DEVICE;
    // MULTI: an update attaches the new filter before detaching the old one, so
    // there is no moment without a filter.
    attr.attach_flags = BPF_F_ALLOW_MULTI;
    if (bpf(BPF_PROG_ATTACH, attr) != 0)
        return sys_fail("bpf(BPF_PROG_ATTACH) device filter to " + dir);
    return {};
}

Result<void> detach(int cgroup_fd, uint32_t prog_id, const std::string& dir) {
    bpf_attr get{};
    get.prog_id = prog_id;
    long prog_fd = bpf(BPF_PROG_GET_FD_BY_ID, get);
    if (prog_fd < 0) {
        if (errno == ENOENT) return {};
        return sys_fail("bpf(BPF_PROG_GET_FD_BY_ID) " + std::to_string(prog_id));
    }
    UniqueFd guard(static_cast<int>(prog_fd));
    bpf_attr attr{};
    attr.target_fd = static_cast<uint32_t>(cgroup_fd);
    attr.attach_bpf_fd = static_cast<uint32_t>(prog_fd);
    attr.attach_type = BPF_CGROUP_DEVICE;
    if (bpf(BPF_PROG_DETACH, attr) != 0 && errno != ENOENT)
        return sys_fail("bpf(BPF_PROG_DETACH) old device filter " + std::to_string(prog_id) +
                        " from " + dir);
    return {};
}

}  // namespace

std::vector<bpf_insn> build_device_program(const std::vector<oci::DeviceRule>& rules) {
    std::vector<bpf_insn> p;
    emit_prologue(p);
    // The first match decides, so walking the rules backwards makes the last
    // matching rule win, as with v1's ordered devices.allow/deny writes.
    for (auto it = rules.rbegin(); it != rules.rend(); ++it) {
        auto block = rule_block(*it);
        p.insert(p.end(), block.begin(), block.end());
        // A rule with no checks matches everything: what follows could never run,
        // and the verifier rejects unreachable instructions.
        if (block.size() == 2) return p;
    }
    p.push_back(mov64_imm(R0, 0));  // no rule matched: deny
    p.push_back(exit_insn());
    return p;
}

Result<void> apply_device_filter(const std::string& dir,
                                 const std::vector<oci::DeviceRule>& rules) {
    auto ctx = "set device filter on " + dir;
    auto cgroup = BERTH_TRY(with_context(open_fd(dir, O_RDONLY | O_DIRECTORY), ctx));
    auto old = BERTH_TRY(with_context(attached_programs(cgroup.get(), dir), ctx));
    auto prog = BERTH_TRY(with_context(load_program(build_device_program(rules)), ctx));
    BERTH_TRYV_CTX(attach(cgroup.get(), prog.get(), dir), ctx);
    for (uint32_t id : old) BERTH_TRYV_CTX(detach(cgroup.get(), id, dir), ctx);
    return {};
}

}  // namespace berth::runtime::cgroup_detail
