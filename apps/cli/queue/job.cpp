#include "job.hpp"

#include <charconv>

namespace sluice::queue {
namespace {

template <class T>
bool parse_number(std::string_view s, T& out) {
  if (s.empty()) return false;
  const auto [p, ec] = std::from_chars(s.data(), s.data() + s.size(), out);
  return ec == std::errc{} && p == s.data() + s.size();
}

}  // namespace

std::vector<std::string_view> job_fields(const Job& job, std::deque<std::string>& storage) {
  storage.clear();  // a deque: the views into it stay valid as it grows
  std::vector<std::string_view> f{"id", job.id, "name", job.name};
  auto number = [&](std::string_view key, auto v) {
    storage.push_back(std::to_string(v));
    f.push_back(key);
    f.push_back(storage.back());
  };
  if (job.has_data) {
    f.push_back("data");
    f.push_back(job.data);
  } else {
    f.push_back("path");
    f.push_back(job.path);
    number("offset", job.offset);
    number("length", job.length);
    number("size", job.file_size);
    number("mtime_ns", job.mtime_ns);
  }
  if (job.cut) {
    f.push_back("cut");
    f.push_back("1");
  }
  number("attempts", job.attempts);
  if (!job.failure.empty()) {
    f.push_back("failure");
    f.push_back(job.failure);
  }
  number("submitted_ms", job.submitted_ms);
  return f;
}

std::string_view field(const Reply& fields, std::string_view name) noexcept {
  for (std::size_t i = 0; i + 1 < fields.size(); i += 2) {
    if (fields[i].str() == name) return fields[i + 1].str();
  }
  return {};
}

Result<Job> job_from_fields(const Reply& fields) {
  Job j;
  bool have_data = false, have_path = false;
  for (std::size_t i = 0; i + 1 < fields.size(); i += 2) {
    const std::string_view k = fields[i].str(), v = fields[i + 1].str();
    bool ok = true;
    if (k == "id") {
      j.id = std::string(v);
    } else if (k == "name") {
      j.name = std::string(v);
    } else if (k == "data") {
      j.data = v;
      have_data = true;
    } else if (k == "path") {
      j.path = std::string(v);
      have_path = true;
    } else if (k == "offset") {
      ok = parse_number(v, j.offset);
    } else if (k == "length") {
      ok = parse_number(v, j.length);
    } else if (k == "size") {
      ok = parse_number(v, j.file_size);
    } else if (k == "mtime_ns") {
      ok = parse_number(v, j.mtime_ns);
    } else if (k == "cut") {
      j.cut = v == "1";
    } else if (k == "attempts") {
      ok = parse_number(v, j.attempts);
    } else if (k == "failure") {
      j.failure = std::string(v);
    } else if (k == "submitted_ms") {
      ok = parse_number(v, j.submitted_ms);
    }
    // Unknown fields are a newer submitter's: ignored, as the stream format grows.
    if (!ok) return fail(Errc::malformed, 0, "job field '" + std::string(k) + "' is not a number");
  }
  j.has_data = have_data;
  if (j.id.empty()) return fail(Errc::malformed, 0, "job without an id");
  if (have_data == have_path) return fail(Errc::malformed, 0, "job " + j.id + " needs exactly one of data and path");
  if (j.name.empty()) j.name = j.id;
  return j;
}

std::vector<Entry> entries_of(const Reply& list) {
  std::vector<Entry> out;
  out.reserve(list.size());
  for (std::size_t i = 0; i < list.size(); ++i) {
    const Reply e = list[i];
    if (e.size() < 2 || e[1].kind() != Reply::Kind::array) continue;
    out.push_back({std::string(e[0].str()), e[1]});
  }
  return out;
}

}  // namespace sluice::queue
