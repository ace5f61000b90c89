#include <gtest/gtest.h>

#include "analysis/smuggling/links.hpp"

namespace sluice::analysis::smuggling {
namespace {

TEST(ContainerLinks, ExtensionsAndShareLinks) {
  EXPECT_EQ(container_download("https://cdn.example.com/files/Invoice.ISO?x=1"), "a .iso file");
  EXPECT_EQ(container_download("http://x.example/a/b/doc.one#p"), "a .one file");
  EXPECT_EQ(container_download("https://drive.google.com/file/d/1abc/view"),
            "a file-hosting share link on drive.google.com");
  EXPECT_EQ(container_download("https://www.dropbox.com/s/abc/Invoice.pdf?dl=1"),
            "a file-hosting share link on www.dropbox.com");
  EXPECT_EQ(container_download("https://www.example.com/index.html"), "");
  EXPECT_EQ(container_download("https://drive.google.com/"), "");
  EXPECT_EQ(container_download("https://example.com/app.json"), "");  // .js is the whole extension
  EXPECT_EQ(container_download("https://notdropbox.com/s/abc"), "");
}

}  // namespace
}  // namespace sluice::analysis::smuggling
