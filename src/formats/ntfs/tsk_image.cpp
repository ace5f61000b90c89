#include "formats/ntfs/tsk_image.hpp"

#include <cstring>
#include <type_traits>

namespace sluice::formats::ntfs {

// TSK casts the pointer we hand it to TSK_IMG_INFO* and gives that pointer back
// to the callbacks; a standard-layout struct with TSK_IMG_INFO first makes the
// round trip well defined (pointer-interconvertible first member). TSK_IMG_INFO
// embeds a 2 MiB read cache, so State lives on the heap.
struct MemoryImage::State {
  TSK_IMG_INFO info;
  ByteView bytes;
  const core::Budget* budget;
  const TskApi* tsk;
  bool opened;
};
static_assert(std::is_standard_layout_v<MemoryImage::State>);

namespace {

MemoryImage::State* state_of(TSK_IMG_INFO* img) noexcept {
  return reinterpret_cast<MemoryImage::State*>(img);
}

ssize_t read_cb(TSK_IMG_INFO* img, TSK_OFF_T off, char* buf, size_t len) {
  const MemoryImage::State* s = state_of(img);
  if (off < 0 || buf == nullptr) return -1;
  if (s->budget->expired()) {
    s->tsk->error_reset();
    s->tsk->error_set_errno(TSK_ERR_IMG_READ);
    s->tsk->error_set_errstr("sluice: scan deadline passed");
    return -1;
  }
  // A read that starts past the end is TSK following a hostile pointer: give it
  // nothing, and TSK reports a short read.
  const ByteView part = s->bytes.clamp(static_cast<std::uint64_t>(off), len);
  if (!part.empty()) std::memcpy(buf, part.data(), part.size());
  return static_cast<ssize_t>(part.size());
}

// We own the State; tsk_img_close() only needs this to exist.
void close_cb(TSK_IMG_INFO*) {}
void imgstat_cb(TSK_IMG_INFO*, FILE*) {}

}  // namespace

Result<std::unique_ptr<MemoryImage>> MemoryImage::open(ByteView bytes, const core::Budget& budget,
                                                       const TskApi& tsk) {
  auto state = std::make_unique<State>();  // value-initialised: TSK's cache starts empty
  state->bytes = bytes;
  state->budget = &budget;
  state->tsk = &tsk;
  TSK_IMG_INFO* img = tsk.img_open_external(state.get(), static_cast<TSK_OFF_T>(bytes.size()), 512,
                                            read_cb, close_cb, imgstat_cb);
  if (img == nullptr) return std::unexpected(Error{Errc::unsupported, 0, tsk_last_error(tsk)});
  state->opened = true;
  return std::unique_ptr<MemoryImage>(new MemoryImage(std::move(state)));
}

MemoryImage::MemoryImage(std::unique_ptr<State> state) noexcept : state_(std::move(state)) {}

MemoryImage::~MemoryImage() {
  if (state_ && state_->opened) state_->tsk->img_close(&state_->info);
}

TSK_IMG_INFO* MemoryImage::img() noexcept { return &state_->info; }

std::string tsk_last_error(const TskApi& tsk) {
  const char* e = tsk.error_get();
  std::string out = e == nullptr ? std::string("unknown TSK error") : std::string(e);
  tsk.error_reset();
  return out;
}

}  // namespace sluice::formats::ntfs
