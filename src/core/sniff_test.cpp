// Sniffing decides from content: each fixture made by a real tool must be
// recognised, whatever its name says.
#include <gtest/gtest.h>
#include <zlib.h>

#include "core/sniff.hpp"
#include "sluice/sparse_buffer.hpp"
#include "test_support.hpp"

namespace sluice::core {
namespace {

FileType sniff_file(const std::string& rel) {
  const auto bytes = testing::read_file(testing::fixture(rel));
  return sniff(ByteView(bytes.data(), bytes.size()));
}

// Some image fixtures are stored gzipped to stay small.
FileType sniff_gz(const std::string& rel) {
  const auto gz = testing::read_file(testing::fixture(rel));
  std::vector<std::uint8_t> out(64 << 20);
  z_stream zs{};
  EXPECT_EQ(inflateInit2(&zs, 15 + 16), Z_OK);
  zs.next_in = const_cast<Bytef*>(gz.data());
  zs.avail_in = static_cast<uInt>(gz.size());
  zs.next_out = out.data();
  zs.avail_out = static_cast<uInt>(out.size());
  EXPECT_EQ(inflate(&zs, Z_FINISH), Z_STREAM_END) << rel;
  out.resize(zs.total_out);
  inflateEnd(&zs);
  return sniff(ByteView(out.data(), out.size()));
}

TEST(Sniff, RecognisesRealToolOutputs) {
  EXPECT_EQ(sniff_file("pe/hello.exe"), FileType::pe_exe);
  EXPECT_EQ(sniff_file("pe/hello32.exe"), FileType::pe_exe);
  EXPECT_EQ(sniff_file("pe/INVOICE.SCR"), FileType::pe_exe) << "the name does not matter";
  EXPECT_EQ(sniff_file("pe/payload.dll"), FileType::pe_dll);
  EXPECT_EQ(sniff_file("gzip/hello.exe.gz"), FileType::gzip);
  EXPECT_EQ(sniff_file("zip/aicpa.zip"), FileType::zip);
  EXPECT_EQ(sniff_file("7z/hello.7z"), FileType::sevenzip);
  EXPECT_EQ(sniff_file("iso/cdc_han.iso"), FileType::iso9660);
  EXPECT_EQ(sniff_file("iso/eltorito.iso"), FileType::iso9660);
  EXPECT_EQ(sniff_file("iso/udf_empty.img"), FileType::udf);
  // pycdlib always writes an ISO 9660 view; the payload is only in the UDF one.
  EXPECT_EQ(sniff_gz("iso/udf_only.iso.gz"), FileType::iso9660);
  EXPECT_EQ(sniff_gz("iso/bridge_udf.iso.gz"), FileType::iso9660) << "bridge: ISO view first";
  EXPECT_EQ(sniff_file("fat/sba_loan.img"), FileType::fat);
  EXPECT_EQ(sniff_gz("fat/fat32.img.gz"), FileType::fat);
  EXPECT_EQ(sniff_gz("vhd/fixed.vhd.gz"), FileType::vhd);
  EXPECT_EQ(sniff_gz("vhd/dynamic.vhd.gz"), FileType::vhd);
  EXPECT_EQ(sniff_gz("vhd/disk.vhdx.gz"), FileType::vhdx);
  EXPECT_EQ(sniff_gz("partition/mbr.img.gz"), FileType::mbr);
  EXPECT_EQ(sniff_gz("partition/gpt.img.gz"), FileType::gpt);
  EXPECT_EQ(sniff_file("mail/benign.eml"), FileType::email);
  EXPECT_EQ(sniff_file("pe/pdf.ico"), FileType::ico);
  EXPECT_EQ(sniff_file("archive/hello.lzh"), FileType::lha);
  EXPECT_EQ(sniff_file("archive/hello.a"), FileType::ar);
}

TEST(Sniff, SmallAndHostileInputs) {
  EXPECT_EQ(sniff(ByteView{}), FileType::unknown);
  EXPECT_EQ(sniff(ByteView::of("MZ")), FileType::pe_exe);
  EXPECT_EQ(sniff(ByteView::of("\x1F\x8B")), FileType::unknown) << "two bytes are not a gzip header";
  // e_lfanew pointing far past the end must not read out of bounds.
  std::string mz(64, '\0');
  mz[0] = 'M';
  mz[1] = 'Z';
  mz[0x3C] = '\xFF';
  mz[0x3D] = '\xFF';
  mz[0x3E] = '\xFF';
  mz[0x3F] = '\x7F';
  EXPECT_EQ(sniff(ByteView::of(mz)), FileType::pe_exe);
  EXPECT_EQ(sniff(ByteView::of("just some words\n")), FileType::text);
  EXPECT_EQ(sniff(ByteView::of(std::string("bin\0ary", 7))), FileType::unknown);
  EXPECT_EQ(sniff(ByteView::of("From: a@b\nSubject: hi\n\nbody")), FileType::email);
  EXPECT_EQ(sniff(ByteView::of("From a@b Mon Jan 1 00:00:00 2024\nFrom: a@b\nTo: c@d\n\nx")),
            FileType::mbox);
  EXPECT_EQ(sniff(ByteView::of("Note: one colon\nis not mail\n")), FileType::text);
  // LHA has no leading magic: "-lh5-" at offset 2 alone is text, not an archive.
  EXPECT_EQ(sniff(ByteView::of("x -lh5- is an LHA method name, level 9 is not a level")), FileType::text);
  EXPECT_EQ(sniff(ByteView::of("<html><body>hi</body></html>")), FileType::html);
  EXPECT_EQ(sniff(ByteView::of("<html><head><HTA:APPLICATION id=x></head></html>")),
            FileType::script_hta);
}

// Text is at least 95 % printable bytes in its first 4 KiB, and has no NUL.
// The count reads eight bytes a step; every position of a control byte in
// and around a step, and the 95 % edge, give what the byte rule gives.
TEST(Sniff, ThePrintableShareIsCountedByTheByteRule) {
  const auto by_rule = [](const std::string& s) {
    std::size_t printable = 0, n = std::min<std::size_t>(s.size(), 4096);
    for (std::size_t i = 0; i < n; ++i) {
      const auto c = static_cast<unsigned char>(s[i]);
      if (c == 0) return false;
      if (c >= 0x20 || c == '\n' || c == '\r' || c == '\t' || c == '\f') ++printable;
    }
    return printable * 100 >= n * 95;
  };
  for (std::size_t len = 1; len <= 40; ++len) {
    for (std::size_t at = 0; at < len; ++at) {
      for (const char c : {'\0', '\x01', '\x1f', '\n', '\t', '\x7f', '\x80'}) {
        std::string s(len, 'w');
        s[at] = c;
        const bool text = sniff(ByteView::of(s)) != FileType::unknown;
        EXPECT_EQ(text, by_rule(s)) << "length " << len << ", byte " << int(c) << " at " << at;
      }
    }
  }
  // 5 control bytes in 100 are text, 6 are not; past 4 KiB nothing counts.
  std::string edge(100, 'w');
  for (std::size_t i = 0; i < 5; ++i) edge[i * 17 + 3] = '\x02';
  EXPECT_EQ(sniff(ByteView::of(edge)), FileType::text);
  edge[99] = '\x02';
  EXPECT_EQ(sniff(ByteView::of(edge)), FileType::unknown);
  std::string tail(4096, 'w');
  tail += std::string(1000, '\x02');
  EXPECT_EQ(sniff(ByteView::of(tail)), FileType::text);
}

// Sniffing reads a bounded part of a view: a 2 TiB sparse disk whose first
// sector claims to be an OLE2 file must not be walked end to end (a page
// fault per 4 KiB of hole; docs/adr/0009). A hang here is the failure.
TEST(Sniff, ASparseTerabyteViewIsNotWalked) {
  auto disk = SparseBuffer::reserve(2ull << 40);
  ASSERT_TRUE(disk) << disk.error().what;
  std::vector<std::uint8_t> header(512, 0);
  const std::string magic = "\xD0\xCF\x11\xE0\xA1\xB1\x1A\xE1";
  std::copy(magic.begin(), magic.end(), header.begin());
  header[30] = 9;  // 512-byte sectors
  ASSERT_TRUE(disk->write(0, ByteView(header.data(), header.size())));
  EXPECT_EQ(sniff(disk->view()), FileType::ole2);
}

TEST(Sniff, EveryTypeHasAStableName) {
  for (const auto& t : all_file_types()) {
    EXPECT_FALSE(t.name.empty());
    EXPECT_EQ(file_type_from_string(t.name), t.type) << t.name;
  }
  EXPECT_TRUE(strips_mark_of_the_web(FileType::iso9660));
  EXPECT_TRUE(strips_mark_of_the_web(FileType::vhdx));
  EXPECT_FALSE(strips_mark_of_the_web(FileType::zip)) << "Windows 10+ propagates MotW into ZIPs";
}

}  // namespace
}  // namespace sluice::core
