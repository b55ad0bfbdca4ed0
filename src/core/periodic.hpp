// A background thread that runs a job now and then every `interval` until stopped: the outbox,
// covers that end by themselves. Stop() waits for the job in hand to finish.
#pragma once

#include <chrono>
#include <condition_variable>
#include <functional>
#include <mutex>
#include <thread>

namespace rapport {

// Runs a job on a thread of its own, now and every `interval` after, until Stop(). Start and Stop
// from one thread (the owner's); stopping() from any, the job's included.
class PeriodicTask {
 public:
  PeriodicTask(std::chrono::milliseconds interval, std::function<void()> job)
      : interval_(interval), job_(std::move(job)) {}
  ~PeriodicTask() { Stop(); }
  PeriodicTask(const PeriodicTask&) = delete;
  PeriodicTask& operator=(const PeriodicTask&) = delete;

  void Start() {
    if (thread_.joinable()) return;
    {
      std::lock_guard<std::mutex> lock(mutex_);
      stopping_ = false;
    }
    thread_ = std::thread([this] {
      std::unique_lock<std::mutex> lock(mutex_);
      while (!stopping_) {
        lock.unlock();
        job_();
        lock.lock();
        wake_.wait_for(lock, interval_, [this] { return stopping_; });
      }
    });
  }

  void Stop() {
    {
      std::lock_guard<std::mutex> lock(mutex_);
      stopping_ = true;
    }
    wake_.notify_all();
    if (thread_.joinable()) thread_.join();
  }

  // True once Stop() has been called: long jobs check it between steps.
  bool stopping() {
    std::lock_guard<std::mutex> lock(mutex_);
    return stopping_;
  }

 private:
  std::chrono::milliseconds interval_;
  std::function<void()> job_;
  std::thread thread_;
  std::mutex mutex_;
  std::condition_variable wake_;
  bool stopping_ = false;
};

}  // namespace rapport
