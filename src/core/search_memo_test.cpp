#include "core/search_memo.hpp"

#include <gtest/gtest.h>

#include <set>
#include <vector>

namespace sluice::core {
namespace {

SearchKey key_of(std::uint8_t n) {
  SearchKey k{};
  k[0] = n;
  k[31] = 1;
  return k;
}

ClosedSearch tried(std::uint32_t n) {
  ClosedSearch c;
  c.tried = n;
  c.rounds_taken = 1000u * n;
  c.problem = "no candidate password matched";
  return c;
}

TEST(SearchMemo, KeepsTheMostRecentlyUsedUpToItsCapacity) {
  SearchMemo memo(2);
  memo.remember(key_of(1), tried(1));
  memo.remember(key_of(2), tried(2));
  ASSERT_TRUE(memo.find(key_of(1)));  // 1 is now the more recent
  memo.remember(key_of(3), tried(3));  // so 2 goes
  EXPECT_EQ(memo.size(), 2u);
  EXPECT_FALSE(memo.find(key_of(2)));
  const auto one = memo.find(key_of(1));
  const auto three = memo.find(key_of(3));
  ASSERT_TRUE(one && three);
  EXPECT_EQ(*one, tried(1));
  EXPECT_EQ(*three, tried(3));
  EXPECT_EQ(memo.hits(), 3u);  // misses are not hits
}

TEST(SearchMemo, RememberingAKeyAgainReplacesItsConclusion) {
  SearchMemo memo(4);
  memo.remember(key_of(1), tried(1));
  memo.remember(key_of(1), tried(7));
  EXPECT_EQ(memo.size(), 1u);
  EXPECT_EQ(memo.find(key_of(1))->tried, 7u);
}

TEST(SearchMemo, TheEmptyKeyAndANoRoomMemoKeepNothing) {
  SearchMemo memo(4);
  memo.remember(SearchKey{}, tried(1));  // what search_key gives when it could not hash
  EXPECT_EQ(memo.size(), 0u);
  EXPECT_FALSE(memo.find(SearchKey{}));
  SearchMemo none(0);
  none.remember(key_of(1), tried(1));
  EXPECT_EQ(none.size(), 0u);
  EXPECT_FALSE(none.find(key_of(1)));
}

TEST(SearchKey, EverythingTheSearchReadsChangesTheKey) {
  const std::array<std::uint8_t, 32> content{1, 2, 3};
  std::array<std::uint8_t, 32> other_content = content;
  other_content[31] = 9;
  const std::vector<std::string> candidates{"infected", "2020", "Order"};
  const Limits limits;
  const SearchKey base = search_key("7z", content, 5872, candidates, limits, 1u << 24);
  EXPECT_NE(base, SearchKey{});
  EXPECT_EQ(base, search_key("7z", content, 5872, candidates, limits, 1u << 24));

  std::set<SearchKey> keys{base};
  auto differs = [&keys](const SearchKey& k) { return keys.insert(k).second; };
  EXPECT_TRUE(differs(search_key("rar5", content, 5872, candidates, limits, 1u << 24)));
  EXPECT_TRUE(differs(search_key("7z", other_content, 5872, candidates, limits, 1u << 24)));
  EXPECT_TRUE(differs(search_key("7z", content, 5873, candidates, limits, 1u << 24)));
  EXPECT_TRUE(differs(search_key("7z", content, 5872, std::vector<std::string>{"infected", "2020"}, limits, 1u << 24)));
  EXPECT_TRUE(differs(search_key("7z", content, 5872, std::vector<std::string>{"2020", "infected", "Order"}, limits,
                                 1u << 24)));
  // Where one candidate ends and the next begins is part of the key.
  EXPECT_TRUE(differs(search_key("7z", content, 5872, std::vector<std::string>{"infected2020", "Order"}, limits,
                                 1u << 24)));
  EXPECT_TRUE(differs(search_key("7z", content, 5872, std::vector<std::string>{"infected", "2020", "Order", ""},
                                 limits, 1u << 24)));
  EXPECT_TRUE(differs(search_key("7z", content, 5872, candidates, limits, (1u << 24) - 1)));
  Limits fewer = limits;
  fewer.max_password_candidates = 8;
  EXPECT_TRUE(differs(search_key("7z", content, 5872, candidates, fewer, 1u << 24)));
  Limits smaller = limits;
  smaller.max_artifact_bytes = 1u << 20;
  EXPECT_TRUE(differs(search_key("7z", content, 5872, candidates, smaller, 1u << 24)));
  Limits narrower = limits;
  narrower.max_children = 100;
  EXPECT_TRUE(differs(search_key("7z", content, 5872, candidates, narrower, 1u << 24)));
  // A limit no search reads leaves it alone.
  Limits deeper = limits;
  deeper.max_depth = 3;
  EXPECT_EQ(base, search_key("7z", content, 5872, candidates, deeper, 1u << 24));
}

}  // namespace
}  // namespace sluice::core
