// Address headers read once: display names, addresses and domains as mail
// clients show them, list headers split only at the commas that separate
// mailboxes, and hostile headers bounded.
#include "codecs/text/addresses.hpp"

#include <gtest/gtest.h>

#include <string>

namespace sluice::codecs::text {
namespace {

TEST(Addresses, ReadsAMailboxWithADisplayName) {
  const Mailbox m = read_mailbox("\"SBA Loans\" <Loans@SBA-Gov.Example.>");
  EXPECT_EQ(m.display, "SBA Loans");
  EXPECT_EQ(m.address, "Loans@SBA-Gov.Example.");
  EXPECT_EQ(m.domain, "sba-gov.example");
}

TEST(Addresses, ReadsABareAddressAndTextWithoutOne) {
  const Mailbox bare = read_mailbox("  alerts@cdc.example  ");
  EXPECT_EQ(bare.display, "");
  EXPECT_EQ(bare.address, "alerts@cdc.example");
  EXPECT_EQ(bare.domain, "cdc.example");

  const Mailbox none = read_mailbox("undisclosed-recipients:;");
  EXPECT_EQ(none.address, "undisclosed-recipients:;");
  EXPECT_EQ(none.domain, "");
}

TEST(Addresses, TheLastAngleBracketsWinAsClientsShowThem) {
  // A display name that looks like an address is what name tricks use: the
  // address is the one in the last brackets.
  const Mailbox m = read_mailbox("\"ceo@bank.example <ceo@bank.example>\" <x@evil.example>");
  EXPECT_EQ(m.address, "x@evil.example");
  EXPECT_EQ(m.domain, "evil.example");
  EXPECT_EQ(m.display, "ceo@bank.example <ceo@bank.example>");
}

TEST(Addresses, SplitsListsOnlyBetweenMailboxes) {
  const auto parts = split_mailboxes("A <a@x.com>, \"B, C\" <b@y.org>,<c@z.net>,, d@w.io");
  ASSERT_EQ(parts.size(), 4u);
  EXPECT_EQ(parts[0], "A <a@x.com>");
  EXPECT_EQ(parts[1], " \"B, C\" <b@y.org>");
  EXPECT_EQ(parts[2], "<c@z.net>");
  EXPECT_EQ(parts[3], " d@w.io");
}

TEST(Addresses, ReadsOneOrAListAndKeepsTheText) {
  const std::string to = "A <a@x.com>, \"B, C\" <b@Y.org>";
  const MailAddresses list = read_addresses(to, AddressForm::list);
  EXPECT_EQ(list.text, to);
  ASSERT_EQ(list.mailboxes.size(), 2u);
  EXPECT_EQ(list.mailboxes[1].display, "B, C");
  EXPECT_EQ(list.mailboxes[1].domain, "y.org");

  // A From header is one mailbox even when its display name has a comma.
  const MailAddresses from = read_addresses("Doe, John <j@x.com>", AddressForm::one);
  ASSERT_EQ(from.mailboxes.size(), 1u);
  EXPECT_EQ(from.mailboxes[0].display, "Doe, John");
  EXPECT_EQ(from.mailboxes[0].domain, "x.com");
}

TEST(Addresses, HostileListsAreBounded) {
  std::string many;
  for (int i = 0; i < 5000; ++i) many += "a@b.c,";
  EXPECT_EQ(split_mailboxes(many).size(), kMaxMailboxes);
  // Unbalanced quotes and brackets never read past the text.
  EXPECT_EQ(split_mailboxes("\"a, <b").size(), 1u);
  EXPECT_EQ(split_mailboxes(">>>,<<<").size(), 2u);
  const Mailbox m = read_mailbox("><@");
  EXPECT_EQ(m.domain, "");
  EXPECT_TRUE(read_addresses("", AddressForm::list).mailboxes.empty());
}

TEST(Addresses, Hash64RendersSixteenHexDigits) {
  EXPECT_EQ(Hash64{0}.hex(), "0000000000000000");
  EXPECT_EQ(Hash64{0x0123456789abcdefULL}.hex(), "0123456789abcdef");
  EXPECT_EQ(meta_text(MetaValue{Hash64{0xffffffffffffffffULL}}), "ffffffffffffffff");
  EXPECT_EQ(meta_text(MetaValue{read_addresses("x <y@z>", AddressForm::one)}), "x <y@z>");
  EXPECT_EQ(meta_text(MetaValue{std::int64_t{5}}), "");
}

}  // namespace
}  // namespace sluice::codecs::text
