#include "codecs/text/html.hpp"

#include <filesystem>
#include <string>

#include <gtest/gtest.h>

#include "test_support.hpp"

namespace sluice::codecs::text {
namespace {

namespace fs = std::filesystem;

// html_links is html_to_text's pass without the text: for any input the two
// must name the same links, in the same order, at the same offsets.
void expect_same_links(std::string_view html, std::size_t max_links, const std::string& what) {
  const HtmlText full = html_to_text(html, html.size(), max_links);
  const HtmlLinks bare = html_links(html, max_links);
  ASSERT_EQ(bare.links.size(), full.links.size()) << what;
  EXPECT_EQ(bare.limited, full.links_limited) << what;
  for (std::size_t i = 0; i < full.links.size(); ++i) {
    EXPECT_EQ(bare.links[i].url, full.links[i].url) << what << " link " << i;
    EXPECT_EQ(bare.links[i].attribute, full.links[i].attribute) << what << " link " << i;
    EXPECT_EQ(bare.links[i].offset, full.links[i].offset) << what << " link " << i;
    EXPECT_EQ(bare.links[i].anchor, full.links[i].anchor) << what << " link " << i;
    EXPECT_TRUE(bare.links[i].text.empty()) << what << " link " << i;
  }
}

TEST(HtmlLinks, TheSameLinksAsTheTextPassOnHostileMarkup) {
  const std::string cases[] = {
      R"(<a href="https://a.example/x">a &lt;b&gt; <b>c</b></a><img src=" /i.png ">)",
      R"(<p>5 < 6 &amp; <a href='#top'>x</a><a HREF=http://b.example>y)",
      R"(<script src="https://cdn.example/s.js">var a = "<a href='http://in.script'>";</script><a href=/after>z</a>)",
      R"(<style>a{background:url(http://in.style)}</style><form action="https://post.example/">)",
      R"(<!-- <a href="http://in.comment"> --><a href="http://after.comment">)",
      R"(<a href="http://unclosed.example")",
      R"(&<a href=&quot;x&quot; data="http://data.example">&#60;a href=http://entity.example&#62;)",
      R"(<div hidden><a href="http://hidden.example">h</a></div></div><a href=http://shown.example>)",
      R"(<</a><a/href=x><a href="http://x" href="http://y"><area href="http://z"><)",
      "<a href=\"http://nul.example\0\">\xff\xfe<a href=http://bytes.example/\x80>",
  };
  for (const std::string& c : cases) expect_same_links(c, 64, c.substr(0, 40));
  expect_same_links(cases[0] + cases[1] + cases[2], 2, "capped at two links");
}

// Every HTML and mail fixture, and the hard ham of the SpamAssassin corpus
// (newsletters, HTML mail of every writer), read whole as markup.
TEST(HtmlLinks, TheSameLinksAsTheTextPassOnFixturesAndHam) {
  std::vector<fs::path> files;
  for (const char* dir : {"smuggling", "mail", "campaigns"}) {
    for (const auto& e : fs::directory_iterator(testing::fixture(dir))) {
      if (e.is_regular_file()) files.push_back(e.path());
    }
  }
  const fs::path corpora = testing::corpora();
  const fs::path ham = corpora.empty() ? fs::path() : corpora / "ham" / "spamassassin-corpus" / "hard-ham-1";
  if (ham.empty() || !fs::is_directory(ham)) {
    SLUICE_SKIP_UNLESS_CI() << "no SpamAssassin hard ham at " << ham;
  }
  std::size_t from_ham = 0;
  for (const auto& e : fs::directory_iterator(ham)) {
    if (e.is_regular_file() && from_ham++ < 250) files.push_back(e.path());
  }
  std::size_t links = 0;
  for (const fs::path& f : files) {
    const auto bytes = testing::read_file(f);
    const std::string_view html(reinterpret_cast<const char*>(bytes.data()), bytes.size());
    expect_same_links(html, 10000, f.string());
    links += html_links(html, 10000).links.size();
  }
  EXPECT_GT(links, 1000u) << "the inputs hold hardly any links: the comparison saw little";
}

}  // namespace
}  // namespace sluice::codecs::text
