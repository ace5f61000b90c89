// fuzz_office_records: bytes straight into the Office record readers below the
// compound file (src/formats/office, src/formats/rtf/fields): MS-OVBA
// decompression and the VBA dir stream, BIFF5/8 workbooks and BIFF12 parts
// (XLM), MS-OFFCRYPTO EncryptionInfo and package decryption, field codes and
// DDE formulas, the XML tag walk. Every reader gets the whole input. Password
// verification runs only where its key derivation is cheap (a forged spin
// count must not turn one input into seconds of hashing).
#include <cstdint>
#include <cstdlib>
#include <string>
#include <vector>

#include "codecs/office/fields.hpp"
#include "codecs/office/offcrypto.hpp"
#include "codecs/office/vba.hpp"
#include "codecs/office/xlm.hpp"
#include "formats/office/xml_scan.hpp"
#include "formats/rtf/fields.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  namespace office = sluice::formats::office;
  const sluice::ByteView in(data, size);

  constexpr std::uint64_t kMaxOut = 1u << 20;
  std::vector<std::uint8_t> partial;
  if (auto d = sluice::codecs::office::decompress(in, kMaxOut, &partial)) {
    if (d->bytes.size() > kMaxOut) std::abort();
    (void)sluice::codecs::office::parse_dir(sluice::ByteView(d->bytes.data(), d->bytes.size()), 64);
  } else if (partial.size() > kMaxOut) {
    std::abort();
  }
  if (auto p = sluice::codecs::office::parse_dir(in, 64); p && p->modules.size() > 64) std::abort();

  (void)sluice::codecs::office::read_biff8_workbook(in);
  if (auto wb = sluice::codecs::office::read_biff12_workbook(in)) {
    (void)sluice::codecs::office::read_biff12_macrosheet(in, wb->names, "Macro1");
  } else {
    (void)sluice::codecs::office::read_biff12_macrosheet(in);
  }

  if (auto info = sluice::codecs::office::parse_encryption_info(in)) {
    if (sluice::codecs::office::derivation_rounds(*info) <= 1000) {
      if (auto key = sluice::codecs::office::verify_password(*info, sluice::codecs::office::kExcelDefaultPassword)) {
        (void)sluice::codecs::office::decrypt_package(*info, *key, in, 1u << 16);
      }
    }
    // Decryption with a made-up key exercises the segment and size handling.
    const std::vector<std::uint8_t> key(32, 0x41);
    if (auto pkg = sluice::codecs::office::decrypt_package(*info, key, in, 1u << 16); pkg && pkg->bytes.size() > (1u << 16)) {
      std::abort();
    }
  }

  if (sluice::codecs::office::word_binary_fields(in, 16).size() > 16) std::abort();
  (void)sluice::codecs::office::dde_formula(in.chars());
  if (sluice::formats::rtf::field_instructions(in, 16).size() > 16) std::abort();
  std::size_t tags = 0;
  office::for_each_tag(in.chars(), [&](const office::XmlTag& t) {
    (void)office::attr(t.attrs, "Target");
    (void)office::unescape(t.text);
    return ++tags < 100000;
  });
  return 0;
}
