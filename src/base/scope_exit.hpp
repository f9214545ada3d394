// Runs a rollback on scope exit unless dismissed: each step of a multi-step
// operation registers its undo, so a failure undoes exactly what was done.
#pragma once

#include <functional>
#include <utility>
#include <vector>

namespace berth {

template <typename F>
class ScopeExit {
  public:
    explicit ScopeExit(F f) : f_(std::move(f)) {}
    ScopeExit(const ScopeExit&) = delete;
    ScopeExit& operator=(const ScopeExit&) = delete;
    ~ScopeExit() {
        if (armed_) f_();
    }
    void dismiss() { armed_ = false; }

  private:
    F f_;
    bool armed_ = true;
};

// A stack of undo actions run in reverse order on destruction unless committed.
class Rollback {
  public:
    Rollback() = default;
    Rollback(const Rollback&) = delete;
    Rollback& operator=(const Rollback&) = delete;
    ~Rollback() {
        for (auto it = undo_.rbegin(); it != undo_.rend(); ++it) (*it)();
    }
    void add(std::function<void()> f) { undo_.push_back(std::move(f)); }
    void commit() { undo_.clear(); }

  private:
    std::vector<std::function<void()>> undo_;
};

}  // namespace berth
