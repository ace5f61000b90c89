#include <gtest/gtest.h>

#include "core/passwords.hpp"

namespace sluice::core {
namespace {

bool first_is(const std::vector<std::string>& v, std::string_view want) {
  return !v.empty() && v.front() == want;
}

TEST(Passwords, KeywordedPasswordComesFirstInManyLanguages) {
  EXPECT_TRUE(first_is(harvest_passwords("Please find the invoice attached.\nPassword: covid2020\nThanks"), "covid2020"));
  EXPECT_TRUE(first_is(harvest_passwords("the archive password is \"Sba#4471\"."), "Sba#4471"));
  EXPECT_TRUE(first_is(harvest_passwords("PWD - 8812"), "8812"));
  EXPECT_TRUE(first_is(harvest_passwords("Passwort:geheim99"), "geheim99"));
  EXPECT_TRUE(first_is(harvest_passwords("Le mot de passe est 7781x"), "7781x"));
  EXPECT_TRUE(first_is(harvest_passwords("Contraseña: hola123"), "hola123"));
  EXPECT_TRUE(first_is(harvest_passwords("пароль: 5512"), "5512"));
  EXPECT_TRUE(first_is(harvest_passwords("Password: sa\n"), "sa")) << "a keyworded password may be short (SpamAssassin zippwmacro.eml)";
}

TEST(Passwords, HtmlIsReducedToText) {
  const auto v = harvest_passwords("<p>Your code:&nbsp;<b>RX-77</b></p>");
  EXPECT_TRUE(first_is(v, "RX-77"));
}

TEST(Passwords, OtherTokensFollowAndTheListIsBounded) {
  const auto v = harvest_passwords("open with 4471 please");
  EXPECT_NE(std::find(v.begin(), v.end(), "4471"), v.end());
  std::string big;
  for (int i = 0; i < 10'000; ++i) big += "tok" + std::to_string(i) + " ";
  EXPECT_EQ(harvest_passwords(big).size(), 256u);
  EXPECT_TRUE(harvest_passwords("").empty());
  EXPECT_EQ(harvest_passwords("password"), std::vector<std::string>{"password"})
      << "'pass' inside 'password' is not a keyword";
}

TEST(Passwords, CandidatesComeFromTheEnclosingMessage) {
  ArtifactTree t;
  t.add_root(ByteView::of("msg"), "message", {});
  t.at(0).meta.push_back({"mail.subject", std::string("Invoice 7731")});
  const std::string body = "Hello,\nthe password is tiger77.\n";
  const ArtifactId text = t.add_child(0, ByteView::of(body), "part[1]", {});
  t.at(text).type = FileType::text;
  const ArtifactId zip = t.add_child(0, ByteView::of("PK"), "part[2]", {{"mime", "doc_pw_9911.zip"}});
  const ArtifactId member = t.add_child(zip, ByteView::of("x"), "", {{"zip", "a.iso"}});
  const auto v = password_candidates(t, member);
  ASSERT_FALSE(v.empty());
  EXPECT_EQ(v.front(), "tiger77") << "the keyworded body word outranks the subject";
  EXPECT_NE(std::find(v.begin(), v.end(), "7731"), v.end());
  EXPECT_NE(std::find(v.begin(), v.end(), "infected"), v.end()) << "defaults last";
  const auto for_zip = password_candidates(t, zip);
  EXPECT_NE(std::find(for_zip.begin(), for_zip.end(), "9911"), for_zip.end()) << "name parts";
  EXPECT_EQ(for_zip.front(), "tiger77");
}

}  // namespace
}  // namespace sluice::core
