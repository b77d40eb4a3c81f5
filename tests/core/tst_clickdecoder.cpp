// SPDX-License-Identifier: MIT
#include "core/decode/clickdecoder.h"

#include <QDateTime>
#include <QRandomGenerator>
#include <QTest>

#include <atomic>
#include <cstdlib>
#include <new>

// Counts every operator new in the process, to prove that decoding allocates nothing once warm.
// A replacement operator new has to be global: it is the one place that sees the allocations
// simdjson makes inside its own library as well as ours.
namespace {
std::atomic<quint64> s_allocations{0};
}

void *operator new(std::size_t size)
{
    s_allocations.fetch_add(1, std::memory_order_relaxed);
    if (void *p = std::malloc(size ? size : 1))
        return p;
    throw std::bad_alloc();
}
void operator delete(void *p) noexcept { std::free(p); }
void operator delete(void *p, std::size_t) noexcept { std::free(p); }

namespace Clickscope {
// QCOMPARE prints results by name.
char *toString(DecodeResult result)
{
    switch (result) {
    case DecodeResult::Click:
        return qstrdup("Click");
    case DecodeResult::Snapshot:
        return qstrdup("Snapshot");
    case DecodeResult::NotClick:
        return qstrdup("NotClick");
    case DecodeResult::Undecodable:
        return qstrdup("Undecodable");
    }
    return qstrdup("?");
}
}   // namespace Clickscope

using namespace Clickscope;

namespace {

// Our publisher's click (ClickHub adds id and ts; the redirect adds the rest from the request).
constexpr char kPublisherClick[] =
    R"({"id":123,"ts":1795437516937,"link":"/bNdq","country":"US","referrer":"https://www.google.com/",)"
    R"("device":"mobile","browser":"Safari","userAgent":"Mozilla/5.0 (iPhone; CPU iPhone OS 17_2 like Mac OS X) )"
    R"(AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.2 Mobile/15E148 Safari/604.1"})";
// A click-streamer's broadcast of one click: a short code, an ISO 8601 timestamp, no id.
constexpr char kBroadcastClick[] =
    R"({"shortCode":"abc","timestamp":"2026-11-23T10:00:00.000Z","country":"DE","referrer":"https://t.co/x"})";
// A current-state snapshot of one link: `{clickCount, clickAnalytics}`, the count and the latest
// click's analytics (no link: the stream is per link, named in its URL).
constexpr char kLinkSnapshot[] =
    R"({"clickCount":3,"clickAnalytics":{"ipAddress":"203.0.113.7","country":"FR",)"
    R"("userAgent":"Mozilla/5.0 (Windows NT 10.0; Win64; x64; rv:121.0) Gecko/20100101 Firefox/121.0",)"
    R"("referrer":"https://news.ycombinator.com/item?id=1","timestamp":1795437516937}})";
constexpr char kLinkSnapshotBeforeAnyClick[] = R"({"clickCount":0,"clickAnalytics":false})";
// Our publisher's `event: snapshot` (ClickHub::snapshotJson).
constexpr char kPublisherSnapshot[] = R"({"clickCount":120,"lastId":120,"links":{"/a":3,"/b":2},"otherLinks":4})";
// An LLM completion stream's chunk, and the line that ends it, which share a stream with clicks.
constexpr char kLlmChunk[] =
    R"({"id":"chatcmpl-1","object":"chat.completion.chunk","created":1694268190,"model":"gpt-3.5-turbo",)"
    R"("choices":[{"index":0,"delta":{"content":"Hi"},"finish_reason":null}]})";

const char kChromeWindows[] = "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) "
                              "Chrome/120.0.0.0 Safari/537.36";

qint64 isoMs(const char *iso)
{
    return QDateTime::fromString(QString::fromLatin1(iso), Qt::ISODateWithMs).toMSecsSinceEpoch();
}

QByteArray bytes(QByteArrayView view) { return view.toByteArray(); }

}   // namespace

class TestClickDecoder : public QObject
{
    Q_OBJECT

private slots:
    void results_data();
    void results();
    void clickFields_data();
    void clickFields();
    void snapshots_data();
    void snapshots();
    void referrerHost_data();
    void referrerHost();
    void userAgent_data();
    void userAgent();
    void timestamps_data();
    void timestamps();
    void errors_data();
    void errors();
    void mapping_data();
    void mapping();
    void viewsOutliveTheInput();
    void outputsAreReset();
    void integersBeyond64BitsKeepTheClick_data();
    void integersBeyond64BitsKeepTheClick();
    void neverCrashesOnDamagedInput();
    void steadyStateDoesNotAllocate();
    void hugeEventIsReleased();
    void flatAndDomAgree_data();
    void flatAndDomAgree();
};

void TestClickDecoder::results_data()
{
    QTest::addColumn<QByteArray>("type");
    QTest::addColumn<QByteArray>("data");
    QTest::addColumn<DecodeResult>("result");

    const auto row = [](const char *name, const char *type, const QByteArray &data, DecodeResult result) {
        QTest::newRow(name) << QByteArray(type) << data << result;
    };
    using R = DecodeResult;
    // Clicks, in every shape the streams we read and our publisher send them.
    row("publisher click", "click", kPublisherClick, R::Click);
    row("publisher click as a WebSocket frame", "message", kPublisherClick, R::Click);
    row("untyped event is a message", "", kPublisherClick, R::Click);
    row("broadcast click", "message", kBroadcastClick, R::Click);
    row("custom event type with a click", "link.clicked", kBroadcastClick, R::Click);
    row("whitespace around the object", "click", QByteArray("\n  ") + kPublisherClick + "  \r\n", R::Click);
    row("unknown nested keys are fine", "click", R"({"link":"/a","extra":{"deep":[1,2,{"x":null}]},"n":-1.5e3})",
        R::Click);
    // Snapshots.
    row("link snapshot", "message", kLinkSnapshot, R::Snapshot);
    row("link snapshot before any click", "message", kLinkSnapshotBeforeAnyClick, R::Snapshot);
    row("publisher snapshot", "snapshot", kPublisherSnapshot, R::Snapshot);
    row("clickCount decides over a link", "message", R"({"clickCount":1,"link":"/a"})", R::Snapshot);
    // Streams that are not clicks.
    row("numbered values", "message", R"({"id":1679000000000,"number":42})", R::NotClick);
    row("LLM chunk", "message", kLlmChunk, R::NotClick);
    row("[DONE]", "message", "[DONE]", R::NotClick);
    row("[DONE] with whitespace", "message", " [DONE]\n", R::NotClick);
    row("plain text", "message", "hello", R::NotClick);
    row("JSON scalar in a message", "message", "42", R::NotClick);
    row("JSON array in a message", "message", R"([{"link":"/a"}])", R::NotClick);
    row("empty message", "message", "", R::NotClick);
    row("HTML patch", "datastar-patch-elements", R"(elements <div id="todos">…</div>)", R::NotClick);
    row("broken JSON in a custom type", "ping", R"({"at":)", R::NotClick);
    row("error object with a numeric code", "message", R"({"code":429,"message":"rate limited"})", R::NotClick);
    row("url that is not a string", "message", R"({"url":{"href":"x"}})", R::NotClick);
    row("no link, other keys of any type", "message", R"({"country":5,"device":[]})", R::NotClick);
    row("null link", "message", R"({"link":null})", R::NotClick);
    // Undecodable.
    row("invalid JSON in a click", "click", "{link: /a}", R::Undecodable);
    row("truncated click", "click", QByteArray(kPublisherClick).chopped(10), R::Undecodable);
    row("truncated message object", "message", R"({"link":"/a",)", R::Undecodable);
    row("truncated message array", "message", "[1,2", R::Undecodable);
    row("invalid JSON in a snapshot", "snapshot", "{clickCount: 3}", R::Undecodable);
    row("trailing garbage", "click", R"({"link":"/a"} x)", R::Undecodable);
    row("two objects in one event", "message", R"({"link":"/a"}{"link":"/b"})", R::Undecodable);
    row("invalid UTF-8", "message", "{\"link\":\"/\xff\"}", R::Undecodable);
    row("array in a click event", "click", "[1]", R::Undecodable);
    row("text in a click event", "click", "hello", R::Undecodable);
    row("empty click event", "click", "   ", R::Undecodable);
    row("click event without a link", "click", R"({"country":"US"})", R::Undecodable);
    row("numeric link", "message", R"({"link":5})", R::Undecodable);
    row("empty link", "message", R"({"link":""})", R::Undecodable);
    row("snapshot without clickCount", "snapshot", R"({"links":{}})", R::Undecodable);
    row("string clickCount", "message", R"({"clickCount":"3"})", R::Undecodable);
    row("wrong type beside a link", "message", R"({"link":"/a","country":1})", R::Undecodable);
    // Numbers at the edges.
    row("huge double elsewhere", "message", R"({"link":"/a","x":1.7976931348623157e308})", R::Click);
    row("tiny double elsewhere", "message", R"({"link":"/a","x":-1e-400})", R::Click);
    row("uint64 elsewhere", "message", R"({"link":"/a","x":18446744073709551615})", R::Click);
    row("double overflow", "message", R"({"link":"/a","x":1e400})", R::Undecodable);
    // simdjson 3.0 refuses integers beyond 64 bits; the decoder reads them as doubles instead.
    row("integer beyond 64 bits", "message", R"({"link":"/a","x":123456789012345678901234567890})", R::Click);
}

void TestClickDecoder::results()
{
    QFETCH(QByteArray, type);
    QFETCH(QByteArray, data);
    QFETCH(DecodeResult, result);

    ClickDecoder decoder;
    ClickView click;
    SnapshotView snapshot;
    QCOMPARE(decoder.decode(type, data, click, snapshot), result);
    QCOMPARE(decoder.lastError().isEmpty(), result != DecodeResult::Undecodable);
    if (result == DecodeResult::Click)
        QVERIFY(!click.link.isEmpty());
    else
        QVERIFY(click.link.isEmpty());
}

void TestClickDecoder::clickFields_data()
{
    QTest::addColumn<QByteArray>("data");
    QTest::addColumn<QByteArray>("link");
    QTest::addColumn<QByteArray>("country");
    QTest::addColumn<QByteArray>("referrer");
    QTest::addColumn<QByteArray>("device");
    QTest::addColumn<QByteArray>("browser");
    QTest::addColumn<qint64>("timestampMs");
    QTest::addColumn<qint64>("sequence");

    const qint64 none = ClickView::kNoTime;
    QTest::newRow("publisher click") << QByteArray(kPublisherClick) << QByteArray("/bNdq") << QByteArray("US")
                                     << QByteArray("www.google.com") << QByteArray("mobile") << QByteArray("Safari")
                                     << qint64(1795437516937) << qint64(123);
    QTest::newRow("broadcast click") << QByteArray(kBroadcastClick) << QByteArray("abc") << QByteArray("DE")
                                     << QByteArray("t.co") << QByteArray() << QByteArray()
                                     << isoMs("2026-11-23T10:00:00.000Z") << none;
    QTest::newRow("link only") << QByteArray(R"({"link":"/a"})") << QByteArray("/a") << QByteArray() << QByteArray()
                               << QByteArray() << QByteArray() << none << none;
    QTest::newRow("nulls are absent") << QByteArray(
        R"({"link":"/a","country":null,"referrer":null,"device":null,"ts":null,"id":null})")
                                      << QByteArray("/a") << QByteArray() << QByteArray() << QByteArray()
                                      << QByteArray() << none << none;
    QTest::newRow("unicode escapes") << QByteArray(
        R"({"link":"/caf\u00e9","country":"\u00c9\u00e9","device":"\ud83d\udcf1"})")
                                     << QByteArray("/caf\xc3\xa9") << QByteArray("\xc3\x89\xc3\xa9") << QByteArray()
                                     << QByteArray("\xf0\x9f\x93\xb1") << QByteArray() << none << none;
    QTest::newRow("raw UTF-8") << QByteArray("{\"link\":\"/\xc3\xa9t\xc3\xa9\"}") << QByteArray("/\xc3\xa9t\xc3\xa9")
                               << QByteArray() << QByteArray() << QByteArray() << QByteArray() << none << none;
    QTest::newRow("escaped slash and quote")
        << QByteArray(R"({"link":"\/a\"b"})") << QByteArray("/a\"b") << QByteArray() << QByteArray() << QByteArray()
        << QByteArray() << none << none;
    QTest::newRow("shortCode") << QByteArray(R"({"shortCode":"xyz"})") << QByteArray("xyz") << QByteArray()
                               << QByteArray() << QByteArray() << QByteArray() << none << none;
    QTest::newRow("code as a string") << QByteArray(R"({"code":"q1"})") << QByteArray("q1") << QByteArray()
                                      << QByteArray() << QByteArray() << QByteArray() << none << none;
    QTest::newRow("url") << QByteArray(R"({"url":"https://ex.com/x"})") << QByteArray("https://ex.com/x")
                         << QByteArray() << QByteArray() << QByteArray() << QByteArray() << none << none;
    QTest::newRow("names in priority order, not document order")
        << QByteArray(R"({"url":"u","code":"c","shortCode":"s","link":"/l"})") << QByteArray("/l") << QByteArray()
        << QByteArray() << QByteArray() << QByteArray() << none << none;
    QTest::newRow("numeric code skipped for url")
        << QByteArray(R"({"code":404,"url":"/u"})") << QByteArray("/u") << QByteArray() << QByteArray() << QByteArray()
        << QByteArray() << none << none;
    QTest::newRow("duplicate key: the last wins")
        << QByteArray(R"({"link":"/a","country":"US","link":"/b"})") << QByteArray("/b") << QByteArray("US")
        << QByteArray() << QByteArray() << QByteArray() << none << none;
    QTest::newRow("referer spelling") << QByteArray(R"({"link":"/a","referer":"https://github.com/x"})")
                                      << QByteArray("/a") << QByteArray() << QByteArray("github.com") << QByteArray()
                                      << QByteArray() << none << none;
    QTest::newRow("referrer before referer")
        << QByteArray(R"({"link":"/a","referer":"https://b.example/","referrer":"https://a.example/"})")
        << QByteArray("/a") << QByteArray() << QByteArray("a.example") << QByteArray() << QByteArray() << none << none;
    QTest::newRow("browser given beats the user agent") << QByteArray(
        QByteArray(R"({"link":"/a","browser":"Brave","device":"desktop","userAgent":")") + kChromeWindows + "\"}")
                                                        << QByteArray("/a") << QByteArray() << QByteArray()
                                                        << QByteArray("desktop") << QByteArray("Brave") << none << none;
    QTest::newRow("browser and device from the user agent")
        << QByteArray(QByteArray(R"({"link":"/a","userAgent":")") + kChromeWindows + "\"}") << QByteArray("/a")
        << QByteArray() << QByteArray() << QByteArray("desktop") << QByteArray("Chrome") << none << none;
    QTest::newRow("ua key") << QByteArray(QByteArray(R"({"link":"/a","ua":")") + kChromeWindows + "\"}")
                            << QByteArray("/a") << QByteArray() << QByteArray() << QByteArray("desktop")
                            << QByteArray("Chrome") << none << none;
    QTest::newRow("empty user agent") << QByteArray(R"({"link":"/a","userAgent":""})") << QByteArray("/a")
                                      << QByteArray() << QByteArray() << QByteArray() << QByteArray() << none << none;
    QTest::newRow("id as a digit string")
        << QByteArray(R"({"link":"/a","id":"77"})") << QByteArray("/a") << QByteArray() << QByteArray() << QByteArray()
        << QByteArray() << none << qint64(77);
    QTest::newRow("id as a UUID gives no sequence")
        << QByteArray(R"({"link":"/a","id":"0b9a6e1c-7a0e-4c7e-9d2b-1f7c1d8e2f3a"})") << QByteArray("/a")
        << QByteArray() << QByteArray() << QByteArray() << QByteArray() << none << none;
    QTest::newRow("negative id") << QByteArray(R"({"link":"/a","id":-5})") << QByteArray("/a") << QByteArray()
                                 << QByteArray() << QByteArray() << QByteArray() << none << none;
    QTest::newRow("fractional id") << QByteArray(R"({"link":"/a","id":1.5})") << QByteArray("/a") << QByteArray()
                                   << QByteArray() << QByteArray() << QByteArray() << none << none;
    QTest::newRow("whole double id") << QByteArray(R"({"link":"/a","id":12.0})") << QByteArray("/a") << QByteArray()
                                     << QByteArray() << QByteArray() << QByteArray() << none << qint64(12);
    QTest::newRow("double id beyond 2^53 gives no sequence")
        << QByteArray(R"({"link":"/a","id":1e16})") << QByteArray("/a") << QByteArray() << QByteArray() << QByteArray()
        << QByteArray() << none << none;
    QTest::newRow("uint64 id") << QByteArray(R"({"link":"/a","id":18446744073709551615})") << QByteArray("/a")
                               << QByteArray() << QByteArray() << QByteArray() << QByteArray() << none << none;
    QTest::newRow("largest int64 id") << QByteArray(R"({"link":"/a","id":9223372036854775807})") << QByteArray("/a")
                                      << QByteArray() << QByteArray() << QByteArray() << QByteArray() << none
                                      << qint64(9223372036854775807);
    QTest::newRow("object id") << QByteArray(R"({"link":"/a","id":{"n":1}})") << QByteArray("/a") << QByteArray()
                               << QByteArray() << QByteArray() << QByteArray() << none << none;
}

void TestClickDecoder::clickFields()
{
    QFETCH(QByteArray, data);
    QFETCH(QByteArray, link);
    QFETCH(QByteArray, country);
    QFETCH(QByteArray, referrer);
    QFETCH(QByteArray, device);
    QFETCH(QByteArray, browser);
    QFETCH(qint64, timestampMs);
    QFETCH(qint64, sequence);

    ClickDecoder decoder;
    ClickView click;
    SnapshotView snapshot;
    QCOMPARE(decoder.decode("click", data, click, snapshot), DecodeResult::Click);
    QCOMPARE(bytes(click.link), link);
    QCOMPARE(bytes(click.country), country);
    QCOMPARE(bytes(click.referrer), referrer);
    QCOMPARE(bytes(click.device), device);
    QCOMPARE(bytes(click.browser), browser);
    QCOMPARE(click.timestampMs, timestampMs);
    QCOMPARE(click.sequence, sequence);
    QVERIFY(!snapshot.hasLastClick);
    QCOMPARE(snapshot.clickCount, 0);
}

void TestClickDecoder::snapshots_data()
{
    QTest::addColumn<QByteArray>("type");
    QTest::addColumn<QByteArray>("data");
    QTest::addColumn<qint64>("clickCount");
    QTest::addColumn<bool>("hasLastClick");
    QTest::addColumn<QByteArray>("lastCountry");
    QTest::addColumn<QByteArray>("lastBrowser");
    QTest::addColumn<QByteArray>("lastReferrer");
    QTest::addColumn<QByteArray>("lastLink");

    QTest::newRow("link snapshot with analytics")
        << QByteArray("message") << QByteArray(kLinkSnapshot) << qint64(3) << true << QByteArray("FR")
        << QByteArray("Firefox") << QByteArray("news.ycombinator.com") << QByteArray();
    QTest::newRow("link snapshot before any click")
        << QByteArray("message") << QByteArray(kLinkSnapshotBeforeAnyClick) << qint64(0) << false << QByteArray()
        << QByteArray() << QByteArray() << QByteArray();
    QTest::newRow("publisher snapshot") << QByteArray("snapshot") << QByteArray(kPublisherSnapshot) << qint64(120)
                                        << false << QByteArray() << QByteArray() << QByteArray() << QByteArray();
    QTest::newRow("count only") << QByteArray("message") << QByteArray(R"({"clickCount":5})") << qint64(5) << false
                                << QByteArray() << QByteArray() << QByteArray() << QByteArray();
    QTest::newRow("null analytics") << QByteArray("message") << QByteArray(R"({"clickCount":5,"clickAnalytics":null})")
                                    << qint64(5) << false << QByteArray() << QByteArray() << QByteArray()
                                    << QByteArray();
    QTest::newRow("analytics with a link")
        << QByteArray("message") << QByteArray(R"({"clickCount":9,"clickAnalytics":{"link":"/z","country":"JP"}})")
        << qint64(9) << true << QByteArray("JP") << QByteArray() << QByteArray() << QByteArray("/z");
    QTest::newRow("beyond 2^53") << QByteArray("message") << QByteArray(R"({"clickCount":9007199254740993})")
                                 << qint64(9007199254740993) << false << QByteArray() << QByteArray() << QByteArray()
                                 << QByteArray();
    QTest::newRow("whole double") << QByteArray("message") << QByteArray(R"({"clickCount":7.0})") << qint64(7) << false
                                  << QByteArray() << QByteArray() << QByteArray() << QByteArray();
    QTest::newRow("full state first") << QByteArray("snapshot")
                                      << QByteArray(R"({"clickCount":42,"links":{"/a":40,"/b":2}})") << qint64(42)
                                      << false << QByteArray() << QByteArray() << QByteArray() << QByteArray();
}

void TestClickDecoder::snapshots()
{
    QFETCH(QByteArray, type);
    QFETCH(QByteArray, data);
    QFETCH(qint64, clickCount);
    QFETCH(bool, hasLastClick);
    QFETCH(QByteArray, lastCountry);
    QFETCH(QByteArray, lastBrowser);
    QFETCH(QByteArray, lastReferrer);
    QFETCH(QByteArray, lastLink);

    ClickDecoder decoder;
    ClickView click;
    SnapshotView snapshot;
    QCOMPARE(decoder.decode(type, data, click, snapshot), DecodeResult::Snapshot);
    QCOMPARE(snapshot.clickCount, clickCount);
    QCOMPARE(snapshot.hasLastClick, hasLastClick);
    QCOMPARE(bytes(snapshot.lastClick.country), lastCountry);
    QCOMPARE(bytes(snapshot.lastClick.browser), lastBrowser);
    QCOMPARE(bytes(snapshot.lastClick.referrer), lastReferrer);
    QCOMPARE(bytes(snapshot.lastClick.link), lastLink);
    QVERIFY(click.link.isEmpty());
    if (type == "message" && data == kLinkSnapshot) {
        QCOMPARE(snapshot.lastClick.timestampMs, 1795437516937);
        QCOMPARE(bytes(snapshot.lastClick.device), QByteArray("desktop"));
    }
}

void TestClickDecoder::referrerHost_data()
{
    QTest::addColumn<QByteArray>("referrer");
    QTest::addColumn<QByteArray>("host");

    QTest::newRow("path and query") << QByteArray("https://news.ycombinator.com/item?id=1")
                                    << QByteArray("news.ycombinator.com");
    QTest::newRow("origin") << QByteArray("https://www.google.com/") << QByteArray("www.google.com");
    QTest::newRow("no slash") << QByteArray("https://t.co") << QByteArray("t.co");
    QTest::newRow("direct visit") << QByteArray("") << QByteArray();
    QTest::newRow("bare host") << QByteArray("news.ycombinator.com") << QByteArray("news.ycombinator.com");
    QTest::newRow("host and path, no scheme")
        << QByteArray("news.ycombinator.com/item") << QByteArray("news.ycombinator.com");
    QTest::newRow("query right after the host") << QByteArray("https://example.com?q=1") << QByteArray("example.com");
    QTest::newRow("fragment right after the host")
        << QByteArray("https://example.com#top") << QByteArray("example.com");
    QTest::newRow("user info and port") << QByteArray("http://user:pw@example.com:8080/x") << QByteArray("example.com");
    QTest::newRow("upper case") << QByteArray("https://News.YCombinator.COM/") << QByteArray("news.ycombinator.com");
    QTest::newRow("IPv6 with port") << QByteArray("https://[::1]:8443/x") << QByteArray("[::1]");
    QTest::newRow("IPv4") << QByteArray("http://192.0.2.1/") << QByteArray("192.0.2.1");
    QTest::newRow("app scheme") << QByteArray("android-app://com.google.android.gm/")
                                << QByteArray("com.google.android.gm");
    QTest::newRow("scheme-relative") << QByteArray("//cdn.example.com/x") << QByteArray("cdn.example.com");
    QTest::newRow("unicode host") << QByteArray("https://b\\u00fccher.example/")
                                  << QByteArray("b\xc3\xbc"
                                                "cher.example");
}

void TestClickDecoder::referrerHost()
{
    QFETCH(QByteArray, referrer);
    QFETCH(QByteArray, host);

    ClickDecoder decoder;
    ClickView click;
    SnapshotView snapshot;
    const QByteArray data = R"({"link":"/a","referrer":")" + referrer + "\"}";
    QCOMPARE(decoder.decode("click", data, click, snapshot), DecodeResult::Click);
    QCOMPARE(bytes(click.referrer), host);
}

void TestClickDecoder::userAgent_data()
{
    QTest::addColumn<QByteArray>("userAgent");
    QTest::addColumn<QByteArray>("browser");
    QTest::addColumn<QByteArray>("device");

    QTest::newRow("Chrome, Windows") << QByteArray(kChromeWindows) << QByteArray("Chrome") << QByteArray("desktop");
    QTest::newRow("Edge, Windows") << QByteArray(
        "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) "
        "Chrome/120.0.0.0 Safari/537.36 Edg/120.0.2210.91")
                                   << QByteArray("Edge") << QByteArray("desktop");
    QTest::newRow("Safari, macOS") << QByteArray(
        "Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/605.1.15 (KHTML, like Gecko) "
        "Version/17.2 Safari/605.1.15")
                                   << QByteArray("Safari") << QByteArray("desktop");
    QTest::newRow("Firefox, Linux") << QByteArray(
        "Mozilla/5.0 (X11; Linux x86_64; rv:121.0) Gecko/20100101 Firefox/121.0")
                                    << QByteArray("Firefox") << QByteArray("desktop");
    QTest::newRow("Chrome, Android phone")
        << QByteArray("Mozilla/5.0 (Linux; Android 10; K) AppleWebKit/537.36 (KHTML, like Gecko) "
                      "Chrome/120.0.0.0 Mobile Safari/537.36")
        << QByteArray("Chrome") << QByteArray("mobile");
    QTest::newRow("Safari, iPhone") << QByteArray(
        "Mozilla/5.0 (iPhone; CPU iPhone OS 17_2 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) "
        "Version/17.2 Mobile/15E148 Safari/604.1")
                                    << QByteArray("Safari") << QByteArray("mobile");
    QTest::newRow("Chrome, iPhone (CriOS)")
        << QByteArray("Mozilla/5.0 (iPhone; CPU iPhone OS 17_2 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) "
                      "CriOS/120.0.6099.119 Mobile/15E148 Safari/604.1")
        << QByteArray("Chrome") << QByteArray("mobile");
    QTest::newRow("Firefox, iPhone (FxiOS)")
        << QByteArray("Mozilla/5.0 (iPhone; CPU iPhone OS 17_2 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) "
                      "FxiOS/121.0 Mobile/15E148 Safari/605.1.15")
        << QByteArray("Firefox") << QByteArray("mobile");
    QTest::newRow("Edge, iPhone (EdgiOS)")
        << QByteArray("Mozilla/5.0 (iPhone; CPU iPhone OS 17_2 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) "
                      "EdgiOS/120.0.2210.150 Version/17.0 Mobile/15E148 Safari/604.1")
        << QByteArray("Edge") << QByteArray("mobile");
    QTest::newRow("Edge, Android (EdgA)")
        << QByteArray("Mozilla/5.0 (Linux; Android 10; K) AppleWebKit/537.36 (KHTML, like Gecko) "
                      "Chrome/120.0.0.0 Mobile Safari/537.36 EdgA/120.0.2210.157")
        << QByteArray("Edge") << QByteArray("mobile");
    QTest::newRow("Samsung Internet, phone")
        << QByteArray("Mozilla/5.0 (Linux; Android 13; SAMSUNG SM-S911B) AppleWebKit/537.36 (KHTML, like Gecko) "
                      "SamsungBrowser/23.0 Chrome/115.0.0.0 Mobile Safari/537.36")
        << QByteArray("Samsung Internet") << QByteArray("mobile");
    QTest::newRow("Firefox, Android") << QByteArray(
        "Mozilla/5.0 (Android 14; Mobile; rv:121.0) Gecko/121.0 Firefox/121.0")
                                      << QByteArray("Firefox") << QByteArray("mobile");
    QTest::newRow("Safari, iPad") << QByteArray(
        "Mozilla/5.0 (iPad; CPU OS 17_2 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) "
        "Version/17.2 Mobile/15E148 Safari/604.1")
                                  << QByteArray("Safari") << QByteArray("tablet");
    QTest::newRow("Chrome, Android tablet")
        << QByteArray("Mozilla/5.0 (Linux; Android 13; SM-X700) AppleWebKit/537.36 (KHTML, like Gecko) "
                      "Chrome/120.0.0.0 Safari/537.36")
        << QByteArray("Chrome") << QByteArray("tablet");
    QTest::newRow("curl") << QByteArray("curl/8.4.0") << QByteArray("other") << QByteArray("desktop");
    QTest::newRow("no tokens at all") << QByteArray("bot") << QByteArray("other") << QByteArray("desktop");
}

void TestClickDecoder::userAgent()
{
    QFETCH(QByteArray, userAgent);
    QFETCH(QByteArray, browser);
    QFETCH(QByteArray, device);

    ClickDecoder decoder;
    ClickView click;
    SnapshotView snapshot;
    const QByteArray data = R"({"link":"/a","userAgent":")" + userAgent + "\"}";
    QCOMPARE(decoder.decode("click", data, click, snapshot), DecodeResult::Click);
    QCOMPARE(bytes(click.browser), browser);
    QCOMPARE(bytes(click.device), device);
}

void TestClickDecoder::timestamps_data()
{
    QTest::addColumn<QByteArray>("field");   // "ts": 123, as it appears in the object
    QTest::addColumn<qint64>("expected");

    const qint64 ms = 1795437516937;
    QTest::newRow("milliseconds") << QByteArray(R"("ts":1795437516937)") << ms;
    QTest::newRow("seconds") << QByteArray(R"("ts":1795437516)") << qint64(1795437516000);
    QTest::newRow("fractional seconds") << QByteArray(R"("ts":1795437516.937)") << ms;
    QTest::newRow("milliseconds as a double") << QByteArray(R"("ts":1.795437516937e12)") << ms;
    QTest::newRow("microseconds") << QByteArray(R"("ts":1795437516937123)") << ms;
    QTest::newRow("nanoseconds") << QByteArray(R"("ts":1795437516937123456)") << ms;
    QTest::newRow("milliseconds as a string") << QByteArray(R"("ts":"1795437516937")") << ms;
    QTest::newRow("seconds as a string") << QByteArray(R"("ts":"1795437516")") << qint64(1795437516000);
    QTest::newRow("epoch") << QByteArray(R"("ts":0)") << qint64(0);
    QTest::newRow("timestamp key") << QByteArray(R"("timestamp":1795437516937)") << ms;
    QTest::newRow("time key") << QByteArray(R"("time":1795437516)") << qint64(1795437516000);
    QTest::newRow("ts before timestamp") << QByteArray(R"("timestamp":1,"ts":1795437516937)") << ms;
    QTest::newRow("ISO, ms, Z") << QByteArray(R"("ts":"2026-11-23T10:00:00.000Z")")
                                << isoMs("2026-11-23T10:00:00.000Z");
    QTest::newRow("ISO, Z") << QByteArray(R"("ts":"2026-11-23T10:00:00Z")") << isoMs("2026-11-23T10:00:00Z");
    QTest::newRow("ISO, offset") << QByteArray(R"("ts":"2026-11-23T11:30:00+01:30")") << isoMs("2026-11-23T10:00:00Z");
    QTest::newRow("ISO, negative offset")
        << QByteArray(R"("ts":"2026-11-23T05:00:00-0500")") << isoMs("2026-11-23T10:00:00Z");
    QTest::newRow("ISO, hour offset") << QByteArray(R"("ts":"2026-11-23T12:00:00+02")")
                                      << isoMs("2026-11-23T10:00:00Z");
    QTest::newRow("ISO, microseconds") << QByteArray(R"("ts":"2026-11-23T10:00:00.123456Z")")
                                       << isoMs("2026-11-23T10:00:00.123Z");
    QTest::newRow("ISO, tenths") << QByteArray(R"("ts":"2026-11-23T10:00:00.5Z")") << isoMs("2026-11-23T10:00:00.500Z");
    QTest::newRow("ISO, no offset is UTC")
        << QByteArray(R"("ts":"2026-11-23T10:00:00")") << isoMs("2026-11-23T10:00:00Z");
    QTest::newRow("ISO, space, no seconds")
        << QByteArray(R"("ts":"2026-11-23 10:00")") << isoMs("2026-11-23T10:00:00Z");
    QTest::newRow("ISO, date only") << QByteArray(R"("ts":"2026-11-23")") << isoMs("2026-11-23T00:00:00Z");
    QTest::newRow("ISO, leap day") << QByteArray(R"("ts":"2028-02-29T23:59:59.999Z")")
                                   << isoMs("2028-02-29T23:59:59.999Z");
    QTest::newRow("ISO, 1970") << QByteArray(R"("ts":"1970-01-01T00:00:00Z")") << qint64(0);
}

void TestClickDecoder::timestamps()
{
    QFETCH(QByteArray, field);
    QFETCH(qint64, expected);

    ClickDecoder decoder;
    ClickView click;
    SnapshotView snapshot;
    const QByteArray data = R"({"link":"/a",)" + field + "}";
    QCOMPARE(decoder.decode("click", data, click, snapshot), DecodeResult::Click);
    QCOMPARE(click.timestampMs, expected);
}

void TestClickDecoder::errors_data()
{
    QTest::addColumn<QStringList>("mapping");
    QTest::addColumn<QByteArray>("type");
    QTest::addColumn<QByteArray>("data");
    QTest::addColumn<QString>("error");   // the start of lastError(), or a part of it after "…"

    const auto row = [](const char *name, const char *type, const QByteArray &data, const char *error,
                        const QStringList &mapping = {}) {
        QTest::newRow(name) << mapping << QByteArray(type) << data << QString::fromUtf8(error);
    };
    row("invalid JSON says where", "click", R"({"link":)", "invalid JSON at byte 8");
    row("missing colon", "click", R"({"link" "/a"})", "invalid JSON at byte 9");
    row("offset counts leading whitespace", "click", R"(   {"link" "/a"})", "invalid JSON at byte 12");
    row("garbage after the object", "click", R"({"link":"/a"} x)", "invalid JSON at byte 14");
    row("invalid UTF-8", "message", "{\"link\":\"\xff\"}", "invalid JSON");
    row("not an object", "click", "[1]", "expected a JSON object, got an array");
    row("a string", "snapshot", R"("3")", "expected a JSON object, got a string");
    row("empty", "click", "", "empty data");
    row("numeric link", "message", R"({"link":5})", "'link' is a number, expected a string");
    row("boolean shortCode", "message", R"({"shortCode":true})", "'shortCode' is a boolean, expected a string");
    row("empty link", "message", R"({"link":""})", "'link' is empty");
    row("no link in a click event", "click", R"({"country":"US"})", "no link: expected one of 'link'");
    row("numeric country", "click", R"({"link":"/a","country":7})", "'country' is a number, expected a string");
    row("array referer", "click", R"({"link":"/a","referer":["x"]})", "'referer' is an array, expected a string");
    row("object device", "click", R"({"link":"/a","device":{}})", "'device' is an object, expected a string");
    row("numeric browser", "click", R"({"link":"/a","browser":1})", "'browser' is a number, expected a string");
    row("numeric userAgent", "click", R"({"link":"/a","userAgent":5})", "'userAgent' is a number, expected a string");
    row("ts not a date", "click", R"({"link":"/a","ts":"yesterday"})", "'ts' is not an ISO 8601 date-time");
    row("ts 30 February", "click", R"({"link":"/a","ts":"2026-02-30T00:00:00Z"})", "'ts' is not an ISO 8601 date-time");
    row("ts hour 25", "click", R"({"link":"/a","ts":"2026-11-23T25:00:00Z"})", "'ts' is not an ISO 8601 date-time");
    row("ts trailing text", "click", R"({"link":"/a","ts":"2026-11-23T10:00:00Zx"})",
        "'ts' is not an ISO 8601 date-time");
    row("ts boolean", "click", R"({"link":"/a","timestamp":true})",
        "'timestamp' is a boolean, expected a number or an ISO 8601 string");
    row("ts object", "click", R"({"link":"/a","time":{"s":1}})", "'time' is an object, expected a number");
    row("ts negative", "click", R"({"link":"/a","ts":-5})", "'ts' is negative");
    row("ts huge", "click", R"({"link":"/a","ts":1e300})", "'ts' is out of range");
    row("ts uint64", "click", R"({"link":"/a","ts":18446744073709551615})", "'ts' is out of range");
    row("ts huge digit string", "click", R"({"link":"/a","ts":"99999999999999999999"})", "'ts' is out of range");
    row("ts before 1970", "click", R"({"link":"/a","ts":"1969-12-31T23:59:59Z"})", "'ts' is before 1970");
    row("snapshot without count", "snapshot", R"({"links":{}})", "a snapshot needs a numeric 'clickCount'");
    row("string count", "message", R"({"clickCount":"3"})", "'clickCount' is a string, expected a number");
    row("negative count", "message", R"({"clickCount":-1})", "'clickCount' is negative");
    row("fractional count", "message", R"({"clickCount":2.5})", "'clickCount' is not a whole number");
    row("huge count", "message", R"({"clickCount":1e30})", "'clickCount' is out of range");
    row("uint64 count", "message", R"({"clickCount":18446744073709551615})", "'clickCount' is out of range");
    row("bad last click", "message", R"({"clickCount":3,"clickAnalytics":{"country":1}})",
        "clickAnalytics: 'country' is a number, expected a string");
    row("analytics true", "message", R"({"clickCount":3,"clickAnalytics":true})",
        "'clickAnalytics' is a boolean, expected an object or false");
    row("analytics string", "message", R"({"clickCount":3,"clickAnalytics":"x"})",
        "'clickAnalytics' is a string, expected an object or false");
    row("mapped link wrong type", "message", R"({"payload":{"slug":5}})",
        "'link' (at /payload/slug) is a number, expected a string", {"link=/payload/slug"});
    row("mapped link missing", "click", R"({"payload":{}})", "no link at /payload/slug", {"link=/payload/slug"});
    row("mapped ts wrong", "click", R"({"link":"/a","meta":{"at":"soon"}})",
        "'ts' (at /meta/at) is not an ISO 8601 date-time", {"ts=/meta/at"});
}

void TestClickDecoder::errors()
{
    QFETCH(QStringList, mapping);
    QFETCH(QByteArray, type);
    QFETCH(QByteArray, data);
    QFETCH(QString, error);

    const auto fieldMapping = FieldMapping::parse(mapping);
    QVERIFY(fieldMapping);
    ClickDecoder decoder(*fieldMapping);
    ClickView click;
    SnapshotView snapshot;
    QCOMPARE(decoder.decode(type, data, click, snapshot), DecodeResult::Undecodable);
    const QString message = decoder.lastError();
    QVERIFY2(message.startsWith(error), qPrintable(message));
    QVERIFY(click.link.isEmpty());
    QVERIFY(!snapshot.hasLastClick);

    // The next good event clears it.
    QCOMPARE(decoder.decode("message", R"({"link":"/ok","payload":{"slug":"/ok"}})", click, snapshot),
             DecodeResult::Click);
    QVERIFY(decoder.lastError().isEmpty());
}

void TestClickDecoder::mapping_data()
{
    QTest::addColumn<QStringList>("mapping");
    QTest::addColumn<QByteArray>("data");
    QTest::addColumn<DecodeResult>("result");
    QTest::addColumn<QByteArray>("link");
    QTest::addColumn<QByteArray>("country");
    QTest::addColumn<QByteArray>("referrer");
    QTest::addColumn<qint64>("timestampMs");
    QTest::addColumn<qint64>("sequence");

    const qint64 none = ClickView::kNoTime;
    QTest::newRow("link and ts") << QStringList{"link=/payload/slug", "ts=/meta/at"}
                                 << QByteArray(R"({"payload":{"slug":"/x"},"meta":{"at":1795437516937}})")
                                 << DecodeResult::Click << QByteArray("/x") << QByteArray() << QByteArray()
                                 << qint64(1795437516937) << none;
    QTest::newRow("broadcast WebSocket frame, nested")
        << QStringList{"link=/event/data/shortCode", "ts=/event/data/timestamp", "country=/event/data/country"}
        << QByteArray(R"({"streamName":"clicks","groupId":"all","id":"c-17","event":{"type":"create","data":)"
                      R"({"shortCode":"abc","timestamp":"2026-11-23T10:00:00.000Z","country":"DE"}}})")
        << DecodeResult::Click << QByteArray("abc") << QByteArray("DE") << QByteArray()
        << isoMs("2026-11-23T10:00:00.000Z") << none;
    QTest::newRow("the same frame unmapped is not a click")
        << QStringList{} << QByteArray(R"({"streamName":"clicks","id":"c-17","event":{"data":{"shortCode":"abc"}}})")
        << DecodeResult::NotClick << QByteArray() << QByteArray() << QByteArray() << none << none;
    QTest::newRow("array index") << QStringList{"link=/items/1/slug"}
                                 << QByteArray(R"({"items":[{"slug":"/first"},{"slug":"/second"}]})")
                                 << DecodeResult::Click << QByteArray("/second") << QByteArray() << QByteArray() << none
                                 << none;
    QTest::newRow("escaped tokens") << QStringList{"link=/a~1b/c~0d"} << QByteArray(R"({"a/b":{"c~d":"/esc"}})")
                                    << DecodeResult::Click << QByteArray("/esc") << QByteArray() << QByteArray() << none
                                    << none;
    QTest::newRow("mapping overrides detection")
        << QStringList{"link=/payload/slug"} << QByteArray(R"({"link":"/ignored","payload":{"slug":"/used"}})")
        << DecodeResult::Click << QByteArray("/used") << QByteArray() << QByteArray() << none << none;
    QTest::newRow("mapped link absent: no fallback to names")
        << QStringList{"link=/payload/slug"} << QByteArray(R"({"link":"/ignored"})") << DecodeResult::NotClick
        << QByteArray() << QByteArray() << QByteArray() << none << none;
    QTest::newRow("mapped country beats country")
        << QStringList{"country=/geo/cc"} << QByteArray(R"({"link":"/a","country":"US","geo":{"cc":"FR"}})")
        << DecodeResult::Click << QByteArray("/a") << QByteArray("FR") << QByteArray() << none << none;
    QTest::newRow("mapped country absent is empty")
        << QStringList{"country=/geo/cc"} << QByteArray(R"({"link":"/a","country":"US"})") << DecodeResult::Click
        << QByteArray("/a") << QByteArray() << QByteArray() << none << none;
    QTest::newRow("mapped referrer is reduced to its host")
        << QStringList{"referrer=/ctx/ref"}
        << QByteArray(R"({"link":"/a","ctx":{"ref":"https://www.bing.com/search?q=x"}})") << DecodeResult::Click
        << QByteArray("/a") << QByteArray() << QByteArray("www.bing.com") << none << none;
    QTest::newRow("mapped id") << QStringList{"id=/meta/seq"}
                               << QByteArray(R"({"link":"/a","id":5,"meta":{"seq":"42"}})") << DecodeResult::Click
                               << QByteArray("/a") << QByteArray() << QByteArray() << none << qint64(42);
    QTest::newRow("pointer through a string")
        << QStringList{"link=/payload/slug/x"} << QByteArray(R"({"payload":{"slug":"/s"}})") << DecodeResult::NotClick
        << QByteArray() << QByteArray() << QByteArray() << none << none;
    QTest::newRow("index out of range") << QStringList{"link=/items/2"} << QByteArray(R"({"items":["/a","/b"]})")
                                        << DecodeResult::NotClick << QByteArray() << QByteArray() << QByteArray()
                                        << none << none;
    QTest::newRow("index with a leading zero")
        << QStringList{"link=/items/01"} << QByteArray(R"({"items":["/a","/b"]})") << DecodeResult::NotClick
        << QByteArray() << QByteArray() << QByteArray() << none << none;
    QTest::newRow("key that looks like an index")
        << QStringList{"link=/items/0"} << QByteArray(R"({"items":{"0":"/zero"}})") << DecodeResult::Click
        << QByteArray("/zero") << QByteArray() << QByteArray() << none << none;
    QTest::newRow("empty key") << QStringList{"link=/"} << QByteArray(R"({"":"/empty"})") << DecodeResult::Click
                               << QByteArray("/empty") << QByteArray() << QByteArray() << none << none;
    QTest::newRow("mapped null is absent")
        << QStringList{"link=/p"} << QByteArray(R"({"p":null})") << DecodeResult::NotClick << QByteArray()
        << QByteArray() << QByteArray() << none << none;
    QTest::newRow("snapshot's last click, relative to clickAnalytics")
        << QStringList{"link=/payload/slug"}
        << QByteArray(R"({"clickCount":2,"clickAnalytics":{"payload":{"slug":"/s"},"country":"IT"}})")
        << DecodeResult::Snapshot << QByteArray("/s") << QByteArray("IT") << QByteArray() << none << none;
}

void TestClickDecoder::mapping()
{
    QFETCH(QStringList, mapping);
    QFETCH(QByteArray, data);
    QFETCH(DecodeResult, result);
    QFETCH(QByteArray, link);
    QFETCH(QByteArray, country);
    QFETCH(QByteArray, referrer);
    QFETCH(qint64, timestampMs);
    QFETCH(qint64, sequence);

    const auto fieldMapping = FieldMapping::parse(mapping);
    QVERIFY2(fieldMapping, qPrintable(fieldMapping.error()));
    ClickDecoder decoder(*fieldMapping);
    QCOMPARE(decoder.mapping(), *fieldMapping);
    ClickView click;
    SnapshotView snapshot;
    QCOMPARE(decoder.decode("message", data, click, snapshot), result);
    const ClickView &got = result == DecodeResult::Snapshot ? snapshot.lastClick : click;
    QCOMPARE(bytes(got.link), link);
    QCOMPARE(bytes(got.country), country);
    QCOMPARE(bytes(got.referrer), referrer);
    QCOMPARE(got.timestampMs, timestampMs);
    QCOMPARE(got.sequence, sequence);
}

void TestClickDecoder::viewsOutliveTheInput()
{
    ClickDecoder decoder;
    ClickView click;
    SnapshotView snapshot;
    {
        QByteArray data = R"({"link":"/v","country":"NZ","referrer":"https://Example.ORG/p"})";
        QCOMPARE(decoder.decode("click", data, click, snapshot), DecodeResult::Click);
        data.fill('x');   // the caller's buffer is reused or freed: the views do not point into it
    }
    QCOMPARE(bytes(click.link), QByteArray("/v"));
    QCOMPARE(bytes(click.country), QByteArray("NZ"));
    QCOMPARE(bytes(click.referrer), QByteArray("example.org"));
}

void TestClickDecoder::integersBeyond64BitsKeepTheClick_data()
{
    QTest::addColumn<QByteArray>("data");
    QTest::addColumn<QString>("link");
    QTest::newRow("id 2^64") << QByteArray(R"({"id": 18446744073709551616, "link": "/a"})") << QStringLiteral("/a");
    QTest::newRow("id 10^23, last") << QByteArray(R"({"link": "/b", "id":100000000000000000000000})")
                                    << QStringLiteral("/b");
    QTest::newRow("a huge number elsewhere")
        << QByteArray(R"({"link":"/c","n":[1, -123456789012345678901234, 1.5e300],"s":"99999999999999999999999"})")
        << QStringLiteral("/c");
    QTest::newRow("a long fraction") << QByteArray(
        R"({"link":"/d","x":1.23456789012345678901234, "id":123456789012345678901})")
                                     << QStringLiteral("/d");
}

void TestClickDecoder::integersBeyond64BitsKeepTheClick()
{
    // The id is optional metadata: a value too large for a sequence is ignored, not the click.
    QFETCH(QByteArray, data);
    QFETCH(QString, link);
    ClickDecoder decoder;
    ClickView click;
    SnapshotView snapshot;
    QCOMPARE(decoder.decode("click", data, click, snapshot), DecodeResult::Click);
    QCOMPARE(QString::fromUtf8(click.link.data(), click.link.size()), link);
    QCOMPARE(click.sequence, ClickView::kNoSequence);
}

void TestClickDecoder::outputsAreReset()
{
    ClickDecoder decoder;
    ClickView click;
    SnapshotView snapshot;
    QCOMPARE(decoder.decode("message", kLinkSnapshot, click, snapshot), DecodeResult::Snapshot);
    QVERIFY(snapshot.hasLastClick);
    QCOMPARE(decoder.decode("click", kPublisherClick, click, snapshot), DecodeResult::Click);
    QVERIFY(!snapshot.hasLastClick);
    QCOMPARE(snapshot.clickCount, 0);
    QCOMPARE(decoder.decode("message", kLlmChunk, click, snapshot), DecodeResult::NotClick);
    QVERIFY(click.link.isEmpty());
    QCOMPARE(click.timestampMs, ClickView::kNoTime);
    QCOMPARE(click.sequence, ClickView::kNoSequence);
    // A click that turns out broken after its link was read leaves no half-filled view behind.
    QCOMPARE(decoder.decode("click", R"({"link":"/a","country":1})", click, snapshot), DecodeResult::Undecodable);
    QVERIFY(click.link.isEmpty());
}

void TestClickDecoder::neverCrashesOnDamagedInput()
{
    const QByteArrayList samples = {kPublisherClick, kBroadcastClick, kLinkSnapshot, kPublisherSnapshot, kLlmChunk};
    const QByteArrayList types = {"click", "message", "snapshot", "other"};
    const auto mapping = FieldMapping::parse({"link=/payload/0/slug", "ts=/meta/at"});
    QVERIFY(mapping);
    ClickDecoder plain;
    ClickDecoder mapped(*mapping);
    ClickView click;
    SnapshotView snapshot;
    QRandomGenerator random(20261123);
    int undecodable = 0;
    for (const QByteArray &sample : samples) {
        for (const QByteArray &type : types) {
            // Every prefix: truncation anywhere, inside strings, escapes, numbers, UTF-8.
            for (qsizetype n = 0; n < sample.size(); ++n) {
                for (ClickDecoder *decoder : {&plain, &mapped}) {
                    const DecodeResult result = decoder->decode(type, sample.left(n), click, snapshot);
                    QVERIFY(result != DecodeResult::Click || !click.link.isEmpty());
                    undecodable += result == DecodeResult::Undecodable;
                    if (result == DecodeResult::Undecodable)
                        QVERIFY(!decoder->lastError().isEmpty());
                }
            }
            // Random byte damage.
            for (int i = 0; i < 300; ++i) {
                QByteArray damaged = sample;
                for (int hits = 1 + random.bounded(3); hits > 0; --hits)
                    damaged[random.bounded(int(damaged.size()))] = char(random.bounded(256));
                for (ClickDecoder *decoder : {&plain, &mapped}) {
                    const DecodeResult result = decoder->decode(type, damaged, click, snapshot);
                    if (result == DecodeResult::Undecodable)
                        QVERIFY(!decoder->lastError().isEmpty());
                }
            }
        }
    }
    QVERIFY(undecodable > 0);
    // Still decodes normally afterwards.
    QCOMPARE(plain.decode("click", kPublisherClick, click, snapshot), DecodeResult::Click);
    QCOMPARE(bytes(click.link), QByteArray("/bNdq"));
}

void TestClickDecoder::steadyStateDoesNotAllocate()
{
    // Every kind of event, including the error paths, the lower-cased host scratch and a mapping.
    const QByteArrayList events = {
        kPublisherClick,
        kBroadcastClick,
        kLinkSnapshot,
        kLinkSnapshotBeforeAnyClick,
        kPublisherSnapshot,
        kLlmChunk,
        "[DONE]",
        R"({"link":"/a","referrer":"HTTPS://WWW.EXAMPLE.COM/x","ua":"Mozilla/5.0 (iPad) Safari/604.1"})",
        R"({"link":5})",
        R"({"link":)",
        R"({"payload":{"slug":"/m"},"meta":{"at":"2026-11-23T10:00:00Z"}})",
    };
    const auto mapping = FieldMapping::parse({"country=/geo/cc"});
    QVERIFY(mapping);
    ClickDecoder plain;
    ClickDecoder mapped(*mapping);
    ClickView click;
    SnapshotView snapshot;
    const auto run = [&](int rounds) {
        int clicks = 0;
        for (int i = 0; i < rounds; ++i) {
            for (const QByteArray &event : events) {
                clicks += plain.decode("message", event, click, snapshot) == DecodeResult::Click;
                clicks += mapped.decode("click", event, click, snapshot) == DecodeResult::Click;
            }
        }
        return clicks;
    };
    // The counter sees allocations, simdjson's included: a fresh decoder makes some.
    const quint64 cold = s_allocations.load();
    {
        ClickDecoder fresh;
        QCOMPARE(fresh.decode("click", kPublisherClick, click, snapshot), DecodeResult::Click);
    }
    if (s_allocations.load() == cold)
        QSKIP("operator new is not ours here (a memory checker such as valgrind replaces it)");

    run(10);   // warm up: buffers reach their size
    const qsizetype capacity = plain.capacity();
    const quint64 before = s_allocations.load();
    const int clicks = run(100'000 / int(events.size()));
    const quint64 allocations = s_allocations.load() - before;
    QCOMPARE(allocations, quint64(0));
    QVERIFY(clicks > 0);
    QCOMPARE(plain.capacity(), capacity);
    QCOMPARE(plain.capacity(), ClickDecoder::kInitialCapacity);
}

void TestClickDecoder::hugeEventIsReleased()
{
    ClickDecoder decoder;
    ClickView click;
    SnapshotView snapshot;
    const QByteArray huge = R"({"link":"/big","pad":")" + QByteArray(3 * 1024 * 1024, 'x') + "\"}";
    QCOMPARE(decoder.decode("click", huge, click, snapshot), DecodeResult::Click);
    QCOMPARE(bytes(click.link), QByteArray("/big"));
    QVERIFY(decoder.capacity() >= huge.size());
    QCOMPARE(decoder.decode("click", kPublisherClick, click, snapshot), DecodeResult::Click);
    QCOMPARE(decoder.capacity(), ClickDecoder::kInitialCapacity);
    QCOMPARE(bytes(click.link), QByteArray("/bNdq"));
}

void TestClickDecoder::flatAndDomAgree_data()
{
    results_data();
    // Where the flat reading and the DOM could part: what the flat one reads itself…
    const auto row = [](const char *name, const char *type, const QByteArray &data) {
        QTest::newRow(name) << QByteArray(type) << data << DecodeResult::Click;   // result unused
    };
    row("escaped referrer", "click", R"({"link":"/a","referrer":"https:\/\/News.Example.com\/x"})");
    row("escaped link", "click", R"({"link":"\/a\tb"})");
    row("UTF-8 values", "click", "{\"link\":\"/ü\",\"country\":\"Côte d’Ivoire\"}");
    row("real timestamp", "click", R"({"link":"/a","ts":1717200000.5})");
    row("real id", "click", R"({"link":"/a","id":42.0})");
    row("fractional id", "click", R"({"link":"/a","id":42.5})");
    row("negative timestamp", "click", R"({"link":"/a","ts":-5})");
    row("negative real timestamp", "click", R"({"link":"/a","ts":-5.5})");
    row("string timestamp", "click", R"({"link":"/a","ts":"1717200000000"})");
    row("bad date", "click", R"({"link":"/a","ts":"yesterday"})");
    row("boolean country", "click", R"({"link":"/a","country":true})");
    row("null country", "click", R"({"link":"/a","country":null})");
    row("duplicate link, null last", "message", R"({"link":"/a","link":null})");
    row("duplicate link, value last", "message", R"({"link":null,"link":"/b"})");
    row("numeric code, string url", "message", R"({"code":5,"url":"/u"})");
    row("user agent only", "click", R"({"link":"/a","ua":"Mozilla/5.0 (iPad) Safari/604.1"})");
    row("numeric user agent", "click", R"({"link":"/a","userAgent":7})");
    row("clickCount flat", "message", R"({"clickCount":7,"clickAnalytics":false})");
    row("clickCount with true", "message", R"({"clickCount":7,"clickAnalytics":true})");
    row("clickCount real", "message", R"({"clickCount":7.5})");
    row("clickCount negative", "snapshot", R"({"clickCount":-1})");
    row("clickCount string", "snapshot", R"({"clickCount":"7"})");
    row("snapshot type, flat", "snapshot", R"({"link":"/a"})");
    row("id of 18 digits", "click", R"({"link":"/a","id":999999999999999999})");
    row("id beyond a double's exact range", "click", R"({"link":"/a","id":9007199254740993})");
    // …and what it leaves to the DOM, which must come out the same.
    row("negative zero id", "click", R"({"link":"/a","id":-0})");
    row("unicode escape", "click", R"({"link":"/\u00e9"})");
    row("19-digit id", "click", R"({"link":"/a","id":1234567890123456789})");
    row("long mantissa, long exponent", "click",
        R"({"link":"/a","ts":0.0000000000000000000012345678901234567890e1000000})");
    row("long exponent", "click", R"({"link":"/a","ts":1717200000e0000})");
    row("many members", "click",
        QByteArray(R"({"link":"/a")") + QByteArray(R"(,"x":1)").repeated(FlatJsonObject::kMaxMembers) + "}");
}

void TestClickDecoder::flatAndDomAgree()
{
    QFETCH(QByteArray, type);
    QFETCH(QByteArray, data);

    ClickDecoder flat;
    ClickDecoder dom({}, ClickDecoder::JsonPath::DomOnly);
    ClickView flatClick, domClick;
    SnapshotView flatSnapshot, domSnapshot;
    QCOMPARE(flat.decode(type, data, flatClick, flatSnapshot), dom.decode(type, data, domClick, domSnapshot));
    QCOMPARE(flat.lastError(), dom.lastError());
    const auto sameClick = [](const ClickView &a, const ClickView &b) {
        return bytes(a.link) == bytes(b.link) && bytes(a.country) == bytes(b.country)
               && bytes(a.referrer) == bytes(b.referrer) && bytes(a.device) == bytes(b.device)
               && bytes(a.browser) == bytes(b.browser) && a.timestampMs == b.timestampMs && a.sequence == b.sequence;
    };
    QVERIFY(sameClick(flatClick, domClick));
    QVERIFY(sameClick(flatSnapshot.lastClick, domSnapshot.lastClick));
    QCOMPARE(flatSnapshot.clickCount, domSnapshot.clickCount);
    QCOMPARE(flatSnapshot.hasLastClick, domSnapshot.hasLastClick);
}

QTEST_GUILESS_MAIN(TestClickDecoder)
#include "tst_clickdecoder.moc"
