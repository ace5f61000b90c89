#pragma once
// What the PE unpacker hands on after its own work: the parsed image and its
// bytes, to every PeFollower in the engine's registry (malware family
// configurations in src/families register one). pe never includes them.
#include "core/unpacker.hpp"
#include "formats/pe/parser.hpp"
#include "sluice/byte_view.hpp"

namespace sluice::formats::pe {

class PeFollower : public core::Follower {
 public:
  // Records meta and anomalies on the PE artifact through ctx; charges what it
  // decodes to ctx's budget.
  virtual void follow(core::UnpackContext& ctx, const PeImage& pe, ByteView file) const = 0;
};

// Runs every registered PeFollower (none in a context without a registry).
inline void run_followers(core::UnpackContext& ctx, const PeImage& pe, ByteView file) {
  if (const core::Registry* registry = ctx.registry()) {
    for (const PeFollower* f : registry->followers<PeFollower>()) f->follow(ctx, pe, file);
  }
}

}  // namespace sluice::formats::pe
