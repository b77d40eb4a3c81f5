// SPDX-License-Identifier: MIT
// Response framing and heads on their own: every body must come out the same whether its bytes
// arrive at once or one at a time, and every ambiguity must be refused with a reason.
#include "core/http/httpbodyframing.h"
#include "core/http/httpcontentdecoder.h"
#include "core/http/httpresponsehead.h"

#include <QTest>

using namespace Clickscope;

namespace {

HttpResponseHead headOf(const QByteArray &text) { return HttpResponseHead::parse(text).value_or(HttpResponseHead{}); }

}   // namespace

class TestHttpBodyFraming : public QObject
{
    Q_OBJECT

private slots:
    void headsAreParsed();
    void headEndsAtAnEmptyLine_data();
    void headEndsAtAnEmptyLine();
    void malformedHeadsAreRefused_data();
    void malformedHeadsAreRefused();
    void bodiesComeOutWholeInAnyPieces_data();
    void bodiesComeOutWholeInAnyPieces();
    void ambiguousFramingIsRefused_data();
    void ambiguousFramingIsRefused();
    void brokenChunksFail_data();
    void brokenChunksFail();
    void endlessChunkLinesAndTrailersAreCut();
    void decodingYieldsNoMoreThanAsked();
};

void TestHttpBodyFraming::headsAreParsed()
{
    const auto head = HttpResponseHead::parse("HTTP/1.1 404 Not Found\r\nContent-Type:text/plain \r\nX-A: 1\r\n"
                                              "x-a: 2\r\nX-Folded: one\r\n  two\r\n\r\n");
    QVERIFY2(head, qPrintable(head.error()));
    QCOMPARE(head->version, QByteArray("HTTP/1.1"));
    QCOMPARE(head->status, 404);
    QCOMPARE(head->reason, QByteArray("Not Found"));
    QCOMPARE(head->value("content-type"), QByteArray("text/plain"));
    QCOMPARE(head->values("X-A"), (QList<QByteArray>{"1", "2"}));
    QCOMPARE(head->value("X-Folded"), QByteArray("one two"));
    QVERIFY(head->value("Missing").isNull());

    const auto bare = HttpResponseHead::parse("HTTP/1.0 200\n\n");
    QVERIFY2(bare, qPrintable(bare.error()));
    QCOMPARE(bare->status, 200);
    QVERIFY(bare->reason.isEmpty());
}

void TestHttpBodyFraming::headEndsAtAnEmptyLine_data()
{
    QTest::addColumn<QByteArray>("buffer");
    QTest::addColumn<qsizetype>("end");
    QTest::newRow("CRLF") << QByteArray("HTTP/1.1 200 OK\r\nA: b\r\n\r\nbody") << qsizetype(25);
    QTest::newRow("LF") << QByteArray("HTTP/1.1 200 OK\nA: b\n\nbody") << qsizetype(22);
    QTest::newRow("mixed") << QByteArray("HTTP/1.1 200 OK\r\nA: b\n\r\nbody") << qsizetype(24);
    QTest::newRow("not yet") << QByteArray("HTTP/1.1 200 OK\r\nA: b\r\n\r") << qsizetype(-1);
    QTest::newRow("nothing") << QByteArray() << qsizetype(-1);
}

void TestHttpBodyFraming::headEndsAtAnEmptyLine()
{
    QFETCH(QByteArray, buffer);
    QFETCH(qsizetype, end);
    QCOMPARE(HttpResponseHead::endIn(buffer), end);
}

void TestHttpBodyFraming::malformedHeadsAreRefused_data()
{
    QTest::addColumn<QByteArray>("head");
    QTest::addColumn<QString>("reason");
    QTest::newRow("not HTTP") << QByteArray("SSH-2.0-OpenSSH_9.2\r\n\r\n")
                              << QStringLiteral("did not answer with HTTP/1.x");
    QTest::newRow("HTTP/2") << QByteArray("HTTP/2 200\r\n\r\n") << QStringLiteral("did not answer with HTTP/1.x");
    QTest::newRow("no status") << QByteArray("HTTP/1.1 2OO OK\r\n\r\n") << QStringLiteral("three-digit status");
    QTest::newRow("long status") << QByteArray("HTTP/1.1 2000 OK\r\n\r\n") << QStringLiteral("three-digit status");
    QTest::newRow("space before colon") << QByteArray("HTTP/1.1 200 OK\r\nA : b\r\n\r\n")
                                        << QStringLiteral("malformed response header");
    QTest::newRow("no colon") << QByteArray("HTTP/1.1 200 OK\r\njunk\r\n\r\n")
                              << QStringLiteral("malformed response header");
    QTest::newRow("bare CR") << QByteArray("HTTP/1.1 200 OK\r\nA: b\rc\r\n\r\n")
                             << QStringLiteral("bare carriage return");
    QTest::newRow("folded first") << QByteArray("HTTP/1.1 200 OK\r\n a\r\n\r\n") << QStringLiteral("continuation");
}

void TestHttpBodyFraming::malformedHeadsAreRefused()
{
    QFETCH(QByteArray, head);
    QFETCH(QString, reason);
    const auto parsed = HttpResponseHead::parse(head);
    QVERIFY(!parsed);
    QVERIFY2(parsed.error().contains(reason), qPrintable(parsed.error()));
}

void TestHttpBodyFraming::bodiesComeOutWholeInAnyPieces_data()
{
    QTest::addColumn<QByteArray>("head");
    QTest::addColumn<QByteArray>("wire");
    QTest::addColumn<QByteArray>("body");
    QTest::addColumn<bool>("complete");
    QTest::newRow("length") << QByteArray("HTTP/1.1 200 OK\r\nContent-Length: 5\r\n\r\n") << QByteArray("helloEXTRA")
                            << QByteArray("hello") << true;
    QTest::newRow("equal lengths") << QByteArray("HTTP/1.1 200 OK\r\nContent-Length: 5, 5\r\nContent-Length: 5\r\n\r\n")
                                   << QByteArray("hello") << QByteArray("hello") << true;
    QTest::newRow("zero length") << QByteArray("HTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\n") << QByteArray("x")
                                 << QByteArray() << true;
    QTest::newRow("chunked") << QByteArray("HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n")
                             << QByteArray("5;name=\"v\"\r\nhello\r\n006 \r\n world\r\n0\r\nX-Trailer: 1\r\n\r\nEXTRA")
                             << QByteArray("hello world") << true;
    QTest::newRow("chunked, bare LF") << QByteArray("HTTP/1.1 200 OK\r\nTransfer-Encoding: Chunked\r\n\r\n")
                                      << QByteArray("A\nabcdefghij\n0\n\n") << QByteArray("abcdefghij") << true;
    QTest::newRow("chunked beats length")
        << QByteArray("HTTP/1.1 200 OK\r\nContent-Length: 2\r\nTransfer-Encoding: chunked\r\n\r\n")
        << QByteArray("3\r\nabc\r\n0\r\n\r\n") << QByteArray("abc") << true;
    QTest::newRow("until close") << QByteArray("HTTP/1.0 200 OK\r\n\r\n") << QByteArray("data: x\n\n")
                                 << QByteArray("data: x\n\n") << false;
    QTest::newRow("204") << QByteArray("HTTP/1.1 204 No Content\r\nContent-Length: 9\r\n\r\n") << QByteArray("x")
                         << QByteArray() << true;
}

void TestHttpBodyFraming::bodiesComeOutWholeInAnyPieces()
{
    QFETCH(QByteArray, head);
    QFETCH(QByteArray, wire);
    QFETCH(QByteArray, body);
    QFETCH(bool, complete);
    for (const qsizetype piece : {wire.size(), qsizetype(1), qsizetype(2), qsizetype(3)}) {
        auto framing = HttpBodyFraming::forResponse(headOf(head), "GET");
        QVERIFY2(framing, qPrintable(framing.error()));
        QByteArray out;
        for (qsizetype i = 0; i < wire.size(); i += piece)
            QVERIFY2(framing->feed(QByteArrayView(wire).sliced(i, std::min(piece, wire.size() - i)), out),
                     qPrintable(framing->errorString()));
        QCOMPARE(out, body);
        QCOMPARE(framing->complete(), complete);
    }
}

void TestHttpBodyFraming::ambiguousFramingIsRefused_data()
{
    QTest::addColumn<QByteArray>("head");
    QTest::addColumn<QString>("reason");
    QTest::newRow("two lengths") << QByteArray("HTTP/1.1 200 OK\r\nContent-Length: 5\r\nContent-Length: 6\r\n\r\n")
                                 << QStringLiteral("ambiguous");
    QTest::newRow("a list of two") << QByteArray("HTTP/1.1 200 OK\r\nContent-Length: 5, 6\r\n\r\n")
                                   << QStringLiteral("ambiguous");
    QTest::newRow("not a number") << QByteArray("HTTP/1.1 200 OK\r\nContent-Length: 5x\r\n\r\n")
                                  << QStringLiteral("not a number");
    QTest::newRow("negative") << QByteArray("HTTP/1.1 200 OK\r\nContent-Length: -1\r\n\r\n")
                              << QStringLiteral("not a number");
    QTest::newRow("10^23") << QByteArray("HTTP/1.1 200 OK\r\nContent-Length: 100000000000000000000000\r\n\r\n")
                           << QStringLiteral("not a number");
    QTest::newRow("2^64") << QByteArray("HTTP/1.1 200 OK\r\nContent-Length: 18446744073709551616\r\n\r\n")
                          << QStringLiteral("not a number");
    QTest::newRow("gzip transfer") << QByteArray("HTTP/1.1 200 OK\r\nTransfer-Encoding: gzip, chunked\r\n\r\n")
                                   << QStringLiteral("only chunked");
    QTest::newRow("chunked twice") << QByteArray(
        "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\nTransfer-Encoding: chunked\r\n\r\n")
                                   << QStringLiteral("only chunked");
}

void TestHttpBodyFraming::ambiguousFramingIsRefused()
{
    QFETCH(QByteArray, head);
    QFETCH(QString, reason);
    const auto framing = HttpBodyFraming::forResponse(headOf(head), "GET");
    QVERIFY(!framing);
    QVERIFY2(framing.error().contains(reason), qPrintable(framing.error()));
}

void TestHttpBodyFraming::brokenChunksFail_data()
{
    QTest::addColumn<QByteArray>("wire");
    QTest::addColumn<QString>("reason");
    QTest::newRow("no size") << QByteArray("zz\r\n") << QStringLiteral("does not start with its size");
    QTest::newRow("empty size") << QByteArray("\r\n") << QStringLiteral("does not start with its size");
    QTest::newRow("overflow") << QByteArray("fffffffffffffffff\r\n") << QStringLiteral("63 bits");
    QTest::newRow("zeros without end") << QByteArray(HttpBodyFraming::kMaxChunkLineBytes + 1, '0')
                                       << QStringLiteral("chunk-size line");
    QTest::newRow("longer than said") << QByteArray("3\r\nabcd\r\n") << QStringLiteral("longer than its stated size");
}

void TestHttpBodyFraming::brokenChunksFail()
{
    QFETCH(QByteArray, wire);
    QFETCH(QString, reason);
    auto framing = HttpBodyFraming::forResponse(headOf("HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n"), "GET");
    QVERIFY(framing);
    QByteArray out;
    QVERIFY(!framing->feed(wire, out));
    QVERIFY2(framing->errorString().contains(reason), qPrintable(framing->errorString()));
    QVERIFY(!framing->feed("0\r\n\r\n", out));   // stays failed
}

void TestHttpBodyFraming::endlessChunkLinesAndTrailersAreCut()
{
    const HttpResponseHead head = headOf("HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n");
    const QByteArray block(1024, 'a');
    for (const QByteArray &start : {QByteArray("5;"), QByteArray("0\r\nX-Trailer: ")}) {
        auto framing = HttpBodyFraming::forResponse(head, "GET");
        QVERIFY(framing);
        QByteArray out;
        QVERIFY(framing->feed(start, out));
        int fed = 0;
        while (framing->feed(block, out) && fed < 1024)
            ++fed;
        QVERIFY2(fed <= HttpBodyFraming::kMaxTrailerBytes / block.size(), qPrintable(QString::number(fed)));
        QVERIFY2(framing->errorString().contains(QStringLiteral("longer than")), qPrintable(framing->errorString()));
        QVERIFY(out.isEmpty());
    }
}

void TestHttpBodyFraming::decodingYieldsNoMoreThanAsked()
{
    // 4 MiB compressed to a few KiB: each decode() gives at most what was asked, and all of it
    // comes out in order.
    QByteArray plain;
    for (int i = 0; plain.size() < 4 * 1024 * 1024; ++i)
        plain += "data: " + QByteArray::number(i) + "\n\n";
    const QByteArray zlib = qCompress(plain, 9).mid(4);
    const auto made = HttpContentDecoder::forResponse(headOf("HTTP/1.1 200 OK\r\nContent-Encoding: deflate\r\n\r\n"));
    QVERIFY2(made && *made, qPrintable(made.error()));
    const std::unique_ptr<HttpContentDecoder> &decoder = *made;
    QByteArray out;
    for (qsizetype i = 0; i < zlib.size(); i += 100) {
        decoder->append(QByteArrayView(zlib).sliced(i, std::min<qsizetype>(100, zlib.size() - i)));
        while (true) {
            const qsizetype before = out.size();
            QVERIFY(decoder->decode(out, 4096));
            QVERIFY(out.size() - before <= 4096);
            if (out.size() == before)
                break;
        }
    }
    QCOMPARE(out.size(), plain.size());
    QVERIFY(out == plain);

    // Raw deflate, as some servers send "deflate", and corrupt data.
    const auto raw = *HttpContentDecoder::forResponse(headOf("HTTP/1.1 200 OK\r\nContent-Encoding: deflate\r\n\r\n"));
    raw->append(zlib.sliced(2));   // without the two-byte zlib header: raw deflate
    QByteArray rawOut;
    while (raw->hasPending() && raw->decode(rawOut, 1 << 20)) {}
    QVERIFY2(rawOut == plain, qPrintable(raw->errorString()));

    const auto corrupt = *HttpContentDecoder::forResponse(headOf("HTTP/1.1 200 OK\r\nContent-Encoding: gzip\r\n\r\n"));
    corrupt->append("\x1f\x8b\x08\x01xxxxxx\x07garbage");   // a gzip header, then a reserved block type
    QByteArray junk;
    QVERIFY(!corrupt->decode(junk, 4096));
    QVERIFY2(corrupt->errorString().contains(QStringLiteral("corrupt")), qPrintable(corrupt->errorString()));

    const auto brotli = HttpContentDecoder::forResponse(headOf("HTTP/1.1 200 OK\r\nContent-Encoding: br\r\n\r\n"));
    QVERIFY(!brotli);
    QVERIFY2(brotli.error().contains(QStringLiteral("does not decode")), qPrintable(brotli.error()));
    // Identity needs no decoder, and is no error.
    const auto identity =
        HttpContentDecoder::forResponse(headOf("HTTP/1.1 200 OK\r\nContent-Encoding: identity\r\n\r\n"));
    QVERIFY(identity);
    QVERIFY(!*identity);
}

QTEST_GUILESS_MAIN(TestHttpBodyFraming)
#include "tst_httpbodyframing.moc"
