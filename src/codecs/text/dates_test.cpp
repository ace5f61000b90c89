// Dates as mail writes them: RFC 5322's own form and its obsolete ones (the
// campaign store's sent time), and the stamp after a Received field's last
// ';' (when a page's message arrived, ADR 0043).
#include "codecs/text/dates.hpp"

#include <gtest/gtest.h>

#include <string>

namespace sluice::codecs::text {
namespace {

TEST(MailDate, ReadsRfc5322AndItsObsoleteForms) {
  EXPECT_EQ(parse_mail_date("Thu, 21 May 2020 10:00:00 +0000"), 1590055200);
  EXPECT_EQ(parse_mail_date("21 May 2020 06:00:00 -0400"), 1590055200);
  EXPECT_EQ(parse_mail_date("Thu, 21 May 2020 06:00 EDT"), 1590055200);
  EXPECT_EQ(parse_mail_date("Thu (comment), 21 May 20 10:00:00 GMT"), 1590055200);
  EXPECT_EQ(parse_mail_date("Thu, 22 Aug 2002 12:46:39 +0100"), 1030016799);
  EXPECT_FALSE(parse_mail_date("yesterday"));
  EXPECT_FALSE(parse_mail_date("31 Foo 2020 10:00:00"));
  EXPECT_FALSE(parse_mail_date("21 May 2020 25:00:00"));
  EXPECT_FALSE(parse_mail_date(""));
}

TEST(MailDate, AReceivedFieldIsStampedAfterItsLastSemicolon) {
  // Postfix's own form, folded as it writes it.
  EXPECT_EQ(received_time("from mail.example (mail.example [192.0.2.7])\r\n\tby mx.example (Postfix) with ESMTPS "
                          "id 4F1A2B3C4D\r\n\tfor <a@example.org>; Thu, 21 May 2020 19:00:00 +0900 (KST)"),
            1590055200);
  // A ';' inside the hop's clauses comes before the stamp's.
  EXPECT_EQ(received_time("from a (b; c) by d; 21 May 2020 10:00:00 GMT"), 1590055200);
  EXPECT_FALSE(received_time("from a by b with SMTP"));
  EXPECT_FALSE(received_time("from a by b; not a date"));
  // Cut at 512 bytes by the MIME reader before its stamp.
  EXPECT_FALSE(received_time("from a by b" + std::string(500, ' ')));
}

TEST(MailDate, SluiceWritesTimesAsIso8601InUtc) {
  EXPECT_EQ(iso_time(1590055200), "2020-05-21T10:00:00Z");
  EXPECT_EQ(iso_time(0), "1970-01-01T00:00:00Z");
  EXPECT_EQ(iso_time(*parse_mail_date("Thu, 21 May 2020 19:00:00 +0900")), "2020-05-21T10:00:00Z");
}

}  // namespace
}  // namespace sluice::codecs::text
