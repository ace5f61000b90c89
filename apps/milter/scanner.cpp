#include "scanner.hpp"

#include <utility>

namespace sluice::milter {

// One scan's shared state: the waiting libmilter thread and the worker meet
// here; whichever is late finds the other gone and simply lets go.
struct EnginePool::Job {
  Bytes bytes;
  std::string name;
  ScanOptions options;
  std::mutex mutex;
  std::condition_variable done_cv;
  std::shared_ptr<const ScanResult> result;
  bool done = false;
  bool abandoned = false;
};

Result<Bytes> bytes_of(ByteView bytes) {
  auto in = SealedInput::of(bytes);
  if (!in) return std::unexpected(in.error());
  return std::make_shared<const SealedInput>(std::move(*in));
}

ScanResult EnginePool::Backend::scan(const SealedInput& input, const std::string& name,
                                    const ScanOptions& options) const {
  return pool ? pool->scan(input, name, options) : engine->scan(input.bytes(), name, options);
}

Result<std::shared_ptr<EnginePool::Backend>> EnginePool::make_backend(const Config& config, unsigned workers,
                                                                      bool isolate) {
  auto engine = Engine::create(config);
  if (!engine) return std::unexpected(engine.error());
  auto b = std::make_shared<Backend>();
  if (isolate) {
    // As many worker processes as scanning threads: a thread never waits for one.
    auto pool = WorkerPool::create(std::move(*engine), {.workers = std::max(1u, workers)});
    if (!pool) return std::unexpected(pool.error());
    b->pool = std::move(*pool);
  } else {
    b->engine = std::make_shared<const Engine>(std::move(*engine));
  }
  return b;
}

Result<std::unique_ptr<EnginePool>> EnginePool::create(const Config& config, unsigned workers, unsigned max_queued,
                                                       bool isolate) {
  auto backend = make_backend(config, workers, isolate);
  if (!backend) return std::unexpected(backend.error());
  return std::unique_ptr<EnginePool>(new EnginePool(std::move(*backend), workers, max_queued, isolate));
}

EnginePool::EnginePool(std::shared_ptr<Backend> backend, unsigned workers, unsigned max_queued, bool isolate)
    : backend_(std::move(backend)),
      isolate_(isolate),
      workers_(std::max(1u, workers)),
      capacity_(workers_ + max_queued) {
  threads_.reserve(workers_);
  for (unsigned i = 0; i < workers_; ++i) {
    threads_.emplace_back([this](const std::stop_token& stop) { work(stop); });
  }
}

EnginePool::~EnginePool() {
  for (auto& t : threads_) t.request_stop();
  wake_.notify_all();
  threads_.clear();  // joins: each worker finishes at most its current scan
}

std::shared_ptr<EnginePool::Backend> EnginePool::backend() const {
  std::lock_guard lock(backend_mutex_);
  return backend_;
}

ScanOutcome EnginePool::scan(Bytes bytes, std::string name, std::chrono::milliseconds wait,
                             const ScanOptions& options) {
  auto job = std::make_shared<Job>();
  job->bytes = std::move(bytes);
  job->name = std::move(name);
  job->options = options;
  {
    std::lock_guard lock(mutex_);
    if (in_use_ >= capacity_) return {ScanStatus::busy, nullptr};
    ++in_use_;
    queue_.push_back(job);
  }
  wake_.notify_one();
  std::unique_lock lock(job->mutex);
  if (!job->done_cv.wait_for(lock, wait, [&] { return job->done; })) {
    job->abandoned = true;
    return {ScanStatus::timeout, nullptr};
  }
  return {ScanStatus::done, job->result};
}

void EnginePool::work(const std::stop_token& stop) {
  for (;;) {
    std::shared_ptr<Job> job;
    {
      std::unique_lock lock(mutex_);
      if (!wake_.wait(lock, stop, [&] { return !queue_.empty(); })) return;
      job = std::move(queue_.front());
      queue_.pop_front();
    }
    bool skip = false;
    {
      std::lock_guard l(job->mutex);
      skip = job->abandoned;  // its sender gave up while it queued: nobody wants it
    }
    std::shared_ptr<const ScanResult> result;
    if (!skip) {
      const std::shared_ptr<Backend> be = backend();
      result = std::make_shared<const ScanResult>(be->scan(*job->bytes, job->name, job->options));
    }
    {
      // Free the slot before the answer: whoever got it may look at stats()
      // or scan again at once, and must find the pool as it now is.
      std::lock_guard lock(mutex_);
      --in_use_;
    }
    if (!skip) {
      {
        std::lock_guard l(job->mutex);
        job->result = std::move(result);
        job->done = true;
      }
      job->done_cv.notify_one();
    }
  }
}

Status EnginePool::reconfigure(const Config& config) {
  auto fresh = make_backend(config, workers_, isolate_);
  if (!fresh) return std::unexpected(fresh.error());
  std::lock_guard lock(backend_mutex_);
  backend_ = std::move(*fresh);
  return {};
}

PoolStats EnginePool::stats() const {
  PoolStats s;
  {
    std::lock_guard lock(mutex_);
    s = {workers_, capacity_, in_use_};
  }
  s.isolated = isolate_;
  if (const auto be = backend(); be && be->pool) {
    const WorkerPool::Stats w = be->pool->stats();
    s.worker_failures = w.failures;
    s.worker_respawns = w.respawns;
    s.input_bytes_copied = w.bytes_copied;
  }
  return s;
}

}  // namespace sluice::milter
