// RenderMail checked by decoding what it encodes (mail_decode.h, written
// independently of mail.cc): Japanese subjects and names, line lengths,
// CRLF, the Date in +0900, attachments and refused header injection.
#include "common/notify/mail.h"

#include "absl/strings/match.h"
#include "absl/strings/str_split.h"
#include "common/notify/mail_decode.h"
#include "gtest/gtest.h"

namespace kaizen::notify {
namespace mail_test {

using testing::DecodeBase64Lines;
using testing::DecodeWords;
using testing::HeaderValue;
using testing::SplitEntity;
using testing::SplitMultipart;

constexpr char kSubject[] = "【次世代改善リーダー】参加申込を受け付けました";

MailMessage Sample() {
  MailMessage m;
  m.from = {"次世代改善リーダー事務局", "noreply@kaizen.example.jp"};
  m.to = {"松阪 花子", "hanako@example.jp"};
  m.subject = kSubject;
  m.body = "松阪 花子 様\n\nお申込みを受け付けました。\n.\n以上\n";
  m.message_id = MessageIdFor("application-received/a1", "kaizen.example.jp");
  // 2026-11-30 06:03:50 UTC = 15:03:50 in Tokyo, a Monday.
  m.date = absl::FromUnixSeconds(1796018630);
  m.extra_headers = {{"Auto-Submitted", "auto-generated"}};
  return m;
}

std::string Render(const MailMessage& m) {
  absl::StatusOr<std::string> text = RenderMail(m);
  EXPECT_TRUE(text.ok()) << text.status();
  return text.ok() ? *text : "";
}

void ExpectWellFormedLines(const std::string& text) {
  ASSERT_TRUE(absl::EndsWith(text, "\r\n"));
  size_t start = 0;
  while (start < text.size()) {
    const size_t crlf = text.find("\r\n", start);
    ASSERT_NE(crlf, std::string::npos);
    const std::string line = text.substr(start, crlf - start);
    EXPECT_LE(line.size(), 78u) << line;
    EXPECT_EQ(line.find('\r'), std::string::npos) << "bare CR in: " << line;
    EXPECT_EQ(line.find('\n'), std::string::npos) << "bare LF in: " << line;
    for (char c : line) EXPECT_LT(static_cast<unsigned char>(c), 0x80) << line;
    start = crlf + 2;
  }
}

TEST(MailTest, JapaneseSubjectNamesAndBodyRoundTrip) {
  const std::string text = Render(Sample());
  ExpectWellFormedLines(text);
  const auto entity = SplitEntity(text);
  EXPECT_EQ(DecodeWords(*HeaderValue(entity.headers, "Subject")), kSubject);
  const std::string to = *DecodeWords(*HeaderValue(entity.headers, "To"));
  EXPECT_EQ(to, "松阪 花子 <hanako@example.jp>");
  EXPECT_EQ(*DecodeWords(*HeaderValue(entity.headers, "From")),
            "次世代改善リーダー事務局 <noreply@kaizen.example.jp>");
  EXPECT_EQ(HeaderValue(entity.headers, "MIME-Version"), "1.0");
  EXPECT_EQ(HeaderValue(entity.headers, "Content-Type"), "text/plain; charset=UTF-8");
  EXPECT_EQ(HeaderValue(entity.headers, "Content-Transfer-Encoding"), "base64");
  EXPECT_EQ(HeaderValue(entity.headers, "Auto-Submitted"), "auto-generated");
  EXPECT_EQ(HeaderValue(entity.headers, "Date"), "Mon, 30 Nov 2026 15:03:50 +0900");
  EXPECT_EQ(DecodeBase64Lines(entity.body),
            "松阪 花子 様\r\n\r\nお申込みを受け付けました。\r\n.\r\n以上\r\n");
}

TEST(MailTest, EveryLineEndOfTheBodyBecomesCrlf) {
  MailMessage m = Sample();
  m.body = "一\r二\r\n三\n\n四\r\r\n五\r";
  const std::string text = Render(m);
  ExpectWellFormedLines(text);
  EXPECT_EQ(DecodeBase64Lines(SplitEntity(text).body),
            "一\r\n二\r\n三\r\n\r\n四\r\n\r\n五\r\n");
  m.body = "改行なし";
  EXPECT_EQ(DecodeBase64Lines(SplitEntity(Render(m)).body), "改行なし");
}

TEST(MailTest, EncodedWordsAreShortAndNeverSplitACharacter) {
  for (const std::string& text :
       {std::string(kSubject), std::string(200, 'x') + "é", std::string("a😀b😀c😀d😀e😀f😀g😀h😀i😀j😀k😀l😀m😀")}) {
    const std::string encoded = EncodeHeaderText(text);
    for (absl::string_view word : absl::StrSplit(encoded, ' ')) {
      EXPECT_LE(word.size(), 75u);
      // Each word decodes to complete UTF-8 on its own.
      const auto decoded = DecodeWords(word);
      ASSERT_TRUE(decoded.has_value()) << word;
      const unsigned char last = static_cast<unsigned char>(decoded->back());
      EXPECT_TRUE(last < 0x80 || (last & 0xc0) == 0x80) << word;
      const unsigned char first = static_cast<unsigned char>(decoded->front());
      EXPECT_NE(first & 0xc0, 0x80) << "word starts inside a character: " << word;
    }
    EXPECT_EQ(DecodeWords(encoded), text);
  }
}

TEST(MailTest, PlainAsciiIsLeftAlone) {
  EXPECT_EQ(EncodeHeaderText("Meeting moved to Friday"), "Meeting moved to Friday");
  // Specials and "=?" would change meaning: encoded.
  EXPECT_NE(EncodeHeaderText("a <b>"), "a <b>");
  EXPECT_NE(EncodeHeaderText("=?UTF-8?B?eA==?="), "=?UTF-8?B?eA==?=");
  EXPECT_EQ(DecodeWords(EncodeHeaderText("=?UTF-8?B?eA==?=")), "=?UTF-8?B?eA==?=");
}

TEST(MailTest, LongAsciiSubjectIsFolded) {
  MailMessage m = Sample();
  m.subject = "";
  for (int i = 0; i < 30; ++i) m.subject += "word" + std::to_string(i) + " ";
  m.subject.pop_back();
  const std::string text = Render(m);
  ExpectWellFormedLines(text);
  EXPECT_EQ(HeaderValue(SplitEntity(text).headers, "Subject"), m.subject);
}

TEST(MailTest, BodyLinesAre76Base64Chars) {
  MailMessage m = Sample();
  m.body = std::string(1000, 'a');
  const auto entity = SplitEntity(Render(m));
  std::vector<std::string> lines = absl::StrSplit(entity.body, "\r\n", absl::SkipEmpty());
  ASSERT_GT(lines.size(), 2u);
  for (size_t i = 0; i + 1 < lines.size(); ++i) EXPECT_EQ(lines[i].size(), 76u);
  EXPECT_EQ(DecodeBase64Lines(entity.body), m.body);
}

TEST(MailTest, AttachmentIsASecondPart) {
  MailMessage m = Sample();
  const std::string ics = "BEGIN:VCALENDAR\r\nVERSION:2.0\r\nSEQUENCE:2\r\nEND:VCALENDAR\r\n";
  m.attachments.push_back({"meeting.ics", "text/calendar; charset=UTF-8; method=REQUEST", ics});
  const std::string text = Render(m);
  ExpectWellFormedLines(text);
  const auto entity = SplitEntity(text);
  const std::string type = *HeaderValue(entity.headers, "Content-Type");
  ASSERT_TRUE(absl::StartsWith(type, "multipart/mixed;")) << type;
  const size_t b = type.find("boundary=\"");
  ASSERT_NE(b, std::string::npos);
  const std::string boundary = type.substr(b + 10, type.size() - b - 11);
  const auto parts = SplitMultipart(entity.body, boundary);
  ASSERT_EQ(parts.size(), 2u);
  EXPECT_EQ(HeaderValue(parts[0].headers, "Content-Type"), "text/plain; charset=UTF-8");
  EXPECT_EQ(DecodeBase64Lines(parts[0].body),
            "松阪 花子 様\r\n\r\nお申込みを受け付けました。\r\n.\r\n以上\r\n");
  EXPECT_EQ(HeaderValue(parts[1].headers, "Content-Type"),
            "text/calendar; charset=UTF-8; method=REQUEST; name=\"meeting.ics\"");
  EXPECT_EQ(HeaderValue(parts[1].headers, "Content-Disposition"),
            "attachment; filename=\"meeting.ics\"");
  EXPECT_EQ(DecodeBase64Lines(parts[1].body), ics);
  // The same message renders to the same bytes (a retry re-sends them).
  EXPECT_EQ(Render(m), text);
}

TEST(MailTest, HeaderInjectionIsRefused) {
  for (const std::string& bad : std::vector<std::string>{"x\r\nBcc: a@example.jp", "x\nBcc: a@example.jp", std::string("x\0y", 3)}) {
    MailMessage m = Sample();
    m.subject = bad;
    EXPECT_EQ(RenderMail(m).status().code(), absl::StatusCode::kInvalidArgument);
    m = Sample();
    m.to.display_name = bad;
    EXPECT_EQ(RenderMail(m).status().code(), absl::StatusCode::kInvalidArgument);
    m = Sample();
    m.to.address = "hanako@example.jp" + bad;
    EXPECT_EQ(RenderMail(m).status().code(), absl::StatusCode::kInvalidArgument);
    m = Sample();
    m.extra_headers = {{"List-Unsubscribe", "<https://x.example.jp/u>" + bad}};
    EXPECT_EQ(RenderMail(m).status().code(), absl::StatusCode::kInvalidArgument);
  }
  MailMessage m = Sample();
  m.extra_headers = {{"Bcc", "someone@example.jp"}};
  EXPECT_EQ(RenderMail(m).status().code(), absl::StatusCode::kInvalidArgument);
  m = Sample();
  m.extra_headers = {{"X-Bad Name", "v"}};
  EXPECT_EQ(RenderMail(m).status().code(), absl::StatusCode::kInvalidArgument);
}

TEST(MailTest, InvalidAddressesAndFieldsAreRefused) {
  for (const std::string& bad : std::vector<std::string>{"", "no-at-sign", "a@b", "<a@example.jp>", "a b@example.jp"}) {
    MailMessage m = Sample();
    m.to.address = bad;
    EXPECT_EQ(RenderMail(m).status().code(), absl::StatusCode::kInvalidArgument) << bad;
  }
  MailMessage m = Sample();
  m.message_id = "no-brackets@x";
  EXPECT_EQ(RenderMail(m).status().code(), absl::StatusCode::kInvalidArgument);
  m = Sample();
  m.subject = "\xe3\x81";  // truncated UTF-8
  EXPECT_EQ(RenderMail(m).status().code(), absl::StatusCode::kInvalidArgument);
  m = Sample();
  m.attachments.push_back({"../etc/passwd", "text/plain", "x"});
  EXPECT_EQ(RenderMail(m).status().code(), absl::StatusCode::kInvalidArgument);
}

TEST(MailTest, MessageIdIsStablePerOutboxId) {
  const std::string id = MessageIdFor("offer/a1/1", "kaizen.example.jp");
  EXPECT_EQ(id, MessageIdFor("offer/a1/1", "kaizen.example.jp"));
  EXPECT_NE(id, MessageIdFor("offer/a1/2", "kaizen.example.jp"));
  ASSERT_EQ(id.size(), 1 + 32 + 1 + 17 + 1);
  EXPECT_EQ(id.front(), '<');
  EXPECT_TRUE(absl::EndsWith(id, "@kaizen.example.jp>"));
}

}  // namespace
}  // namespace kaizen::notify
