// SPDX-License-Identifier: MIT
#include "core/sse/sseparser.h"

#include <QRandomGenerator>
#include <QTest>

using Clickscope::SseBatch;
using Clickscope::SseEvent;
using Clickscope::SseEventView;
using Clickscope::SseParser;

namespace {

// A byte string literal that may contain NULs.
template<std::size_t N>
QByteArray bytes(const char (&literal)[N])
{
    return QByteArray(literal, N - 1);
}

// "type|id|data" per event, so a failing comparison prints something readable.
QStringList describe(const QList<SseEvent> &events)
{
    QStringList out;
    for (const SseEvent &e : events)
        out << e.typeString() + u'|' + e.lastEventIdString() + u'|' + e.dataString();
    return out;
}

QList<SseEvent> parseWhole(const QByteArray &stream, SseParser &parser)
{
    QList<SseEvent> events;
    parser.feed(stream, events);
    return events;
}

QList<SseEvent> parseInPieces(const QByteArray &stream, const QList<qsizetype> &cuts, SseParser &parser)
{
    QList<SseEvent> events;
    qsizetype from = 0;
    for (qsizetype cut : cuts) {
        parser.feed(QByteArrayView(stream).sliced(from, cut - from), events);
        from = cut;
    }
    parser.feed(QByteArrayView(stream).sliced(from), events);
    return events;
}

// Both ways of finding line ends, for the tests that must hold for each.
constexpr SseParser::LineScan kScans[] = {SseParser::LineScan::Widest, SseParser::LineScan::Baseline};

const char *nameOf(SseParser::LineScan scan)
{
    return scan == SseParser::LineScan::Widest ? "widest scan" : "baseline scan";
}

// Random bytes rich in what the scans look for: line ends (CR, LF, CRLF), field names, bytes
// >= 0x80 (valid UTF-8 and not), in runs longer and shorter than a 64-byte block.
QByteArray randomStream(QRandomGenerator &random, qsizetype size)
{
    static const QByteArray pieces[] = {"\n",
                                        "\r",
                                        "\r\n",
                                        "\n\n",
                                        "data: ",
                                        "data:",
                                        "id: ",
                                        "event: ",
                                        ": c",
                                        "retry: 5",
                                        "x",
                                        "abcdefgh",
                                        "\xC3\xA9",
                                        "\xE2\x82\xAC",
                                        "\xFF",
                                        "\x80",
                                        "\xF0\x9F\x98\x80",
                                        QByteArray(70, 'q')};
    QByteArray out;
    while (out.size() < size)
        out += pieces[random.bounded(int(std::size(pieces)))];
    out.truncate(size);
    return out;
}

// A stream that exercises every rule at once, for the split tests.
QByteArray mixedCorpus()
{
    return bytes("\xEF\xBB\xBF: heartbeat\r\n"
                 "retry: 2500\n"
                 "id: 1\r\nevent: click\r\ndata: {\"link\":\"/a\",\"city\":\"K\xC3\xB8"
                 "benhavn\"}\r\n\r\n"
                 "data: first\rdata: second\r\rid\n"
                 "data:  two spaces\n\n"
                 "event: e\xE2\x82\xAC"
                 "uro\ndata: \xF0\x9F\x98\x80 \xFF bad\n\n"
                 ":\n"
                 "data\n\ndata\ndata\n\n"
                 "id: 7\0x\ndata: nul id ignored\n\n"
                 "unknown: field\ndata:x\n\n"
                 "data: crlf\r\n\r\n"
                 "id: 9\0\ndata: a\0b\n\n"
                 "data: tail without blank line");
}

}   // namespace

class TestSseParser : public QObject
{
    Q_OBJECT

private slots:
    void initTestCase()
    {
        // On a CPU without AVX2 both scans are SSE2: the log says which ran.
        qInfo("widest line scan here: %s", SseParser({}, SseParser::LineScan::Widest).lineScanName());
    }
    void rules_data();
    void rules();
    void lastEventIdPersistsAcrossEvents();
    void retryField_data();
    void retryField();
    void commentsAreCountedAndExposed();
    void bomOnlyAtStreamStart();
    void bomSplitAcrossChunks();
    void crAtChunkEndThenLf();
    void incompleteEventIsNotDispatchedAtReset();
    void resetKeepsLastEventIdDropsUndispatchedId();
    void invalidUtf8IsReplaced_data();
    void invalidUtf8IsReplaced();
    void everySplitGivesTheSameEvents();
    void vectorScansMatchByteByByte();
    void scanWindowsAndManyLineEndsKeepTheEvents();
    void randomMultiSplitsGiveTheSameEvents();
    void overlongLineDiscardsItsEventAndResumes();
    void overlongLineAcrossChunksStaysBounded();
    void oversizedEventIsDiscarded();
    void eventOwnsItsBytes();
    void eventsOfOneChunkShareOneBuffer();
    void bufferIsNotOverwrittenWhileEventsLive();
    void batchesGiveTheListsEventsAtEverySplit();
    void batchIsNotOverwrittenWhileItLives();
    void sharedBufferHoldsOnlyWhatNeedsNoCopy();
};

void TestSseParser::rules_data()
{
    QTest::addColumn<QByteArray>("stream");
    QTest::addColumn<QStringList>("expected");

    QTest::newRow("single data line") << QByteArray("data: hello\n\n") << QStringList{"message||hello"};
    QTest::newRow("no blank line, no event") << QByteArray("data: hello\n") << QStringList{};
    QTest::newRow("data lines joined with LF")
        << QByteArray("data: YHOO\ndata: +2\ndata: 10\n\n") << QStringList{"message||YHOO\n+2\n10"};
    QTest::newRow("spec: comment, ids, spaces")
        << QByteArray(": test stream\n\ndata: first event\nid: 1\n\ndata:second event\nid\n\ndata:  third event\n\n")
        << QStringList{"message|1|first event", "message||second event", "message|| third event"};
    QTest::newRow("spec: empty data and incomplete tail")
        << QByteArray("data\n\ndata\ndata\n\ndata:") << QStringList{"message||", "message||\n"};
    QTest::newRow("spec: one optional space")
        << QByteArray("data:test\n\ndata: test\n\n") << QStringList{"message||test", "message||test"};
    QTest::newRow("spec: event types") << QByteArray(
        "event: add\ndata: 73857293\n\nevent: remove\ndata: 2153\n\nevent: add\ndata: 113411\n\n")
                                       << QStringList{"add||73857293", "remove||2153", "add||113411"};
    QTest::newRow("CRLF") << QByteArray("data: a\r\n\r\ndata: b\r\n\r\n") << QStringList{"message||a", "message||b"};
    QTest::newRow("CR only") << QByteArray("data: a\r\rdata: b\rdata: c\r\r")
                             << QStringList{"message||a", "message||b\nc"};
    QTest::newRow("mixed endings") << QByteArray("data: a\r\ndata: b\rdata: c\n\r\n")
                                   << QStringList{"message||a\nb\nc"};
    QTest::newRow("type resets after dispatch")
        << QByteArray("event: x\ndata: 1\n\ndata: 2\n\n") << QStringList{"x||1", "message||2"};
    QTest::newRow("type without data is dropped") << QByteArray("event: x\n\ndata: y\n\n") << QStringList{"message||y"};
    QTest::newRow("empty event type means message") << QByteArray("event:\ndata: y\n\n") << QStringList{"message||y"};
    QTest::newRow("field without colon has empty value") << QByteArray("data\n\n") << QStringList{"message||"};
    QTest::newRow("empty data value dispatches") << QByteArray("data:\n\n") << QStringList{"message||"};
    QTest::newRow("colon inside value") << QByteArray("data: a:b: c\n\n") << QStringList{"message||a:b: c"};
    QTest::newRow("only one space removed") << QByteArray("data:   x \n\n") << QStringList{"message||  x "};
    QTest::newRow("tab is not the space") << QByteArray("data:\tx\n\n") << QStringList{"message||\tx"};
    QTest::newRow("field names are case-sensitive")
        << QByteArray("Data: x\nDATA: y\ndata: z\n\n") << QStringList{"message||z"};
    QTest::newRow("unknown fields ignored")
        << QByteArray("foo: bar\ndata: z\nevents: q\n\n") << QStringList{"message||z"};
    QTest::newRow("comments ignored") << QByteArray(": hi\ndata: a\n: there\ndata: b\n\n")
                                      << QStringList{"message||a\nb"};
    QTest::newRow("leading space makes a field name")
        << QByteArray(" data: a\n\ndata: b\n\n") << QStringList{"message||b"};
    QTest::newRow("NUL in data kept") << bytes("data: a\0b\n\n") << QStringList{QString("message||a") + QChar(0) + "b"};
    QTest::newRow("id containing NUL ignored") << bytes("id: 5\n\nid: 6\0\ndata: x\n\n") << QStringList{"message|5|x"};
    QTest::newRow("id without data still sets the id")
        << QByteArray("id: 3\n\ndata: x\n\n") << QStringList{"message|3|x"};
    QTest::newRow("empty id resets") << QByteArray("id: 3\ndata: a\n\nid:\ndata: b\n\n")
                                     << QStringList{"message|3|a", "message||b"};
    QTest::newRow("blank lines only") << QByteArray("\n\n\r\n\r\r") << QStringList{};
    // From web-platform-tests eventsource/format-*.
    QTest::newRow("wpt field parsing") << bytes(
        "data:\0\ndata:  2\rData:1\ndata\0:2\ndata:1\r\0data:4\nda-ta:3\rdata_5\ndata:3\rdata:\r\n"
        " data:32\ndata:4\n\n") << QStringList{QString("message||") + QChar(0) + "\n 2\n1\n3\n\n4"};
    QTest::newRow("wpt newlines") << QByteArray("data:test\r\ndata\ndata:test\r\n\r")
                                  << QStringList{"message||test\n\ntest"};
    QTest::newRow("wpt comments") << bytes("data:1\r:\0\n:\r\ndata:2\n:"
                                           "xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx"
                                           "\r\n\n")
                                  << QStringList{"message||1\n2"};
    QTest::newRow("wpt data before final empty line")
        << QByteArray("retry:1000\ndata:test1\n\nid:test\ndata:test2") << QStringList{"message||test1"};
    QTest::newRow("UTF-8 passes through") << QByteArray("event: caf\xC3\xA9\ndata: \xE2\x82\xAC \xF0\x9F\x98\x80\n\n")
                                          << QStringList{QString::fromUtf8("café||€ 😀")};
}

void TestSseParser::rules()
{
    QFETCH(QByteArray, stream);
    QFETCH(QStringList, expected);
    for (const SseParser::LineScan scan : kScans) {
        SseParser parser({}, scan);
        QVERIFY2(describe(parseWhole(stream, parser)) == expected, nameOf(scan));
    }
}

void TestSseParser::lastEventIdPersistsAcrossEvents()
{
    SseParser parser;
    const auto events = parseWhole("id: 42\ndata: a\n\ndata: b\n\nevent: x\ndata: c\n\n", parser);
    QCOMPARE(describe(events), (QStringList{"message|42|a", "message|42|b", "x|42|c"}));
    QCOMPARE(parser.lastEventId(), QByteArrayView("42"));
}

void TestSseParser::retryField_data()
{
    QTest::addColumn<QByteArray>("stream");
    QTest::addColumn<qint64>("expected");   // -1: no reconnection time set

    QTest::newRow("digits") << QByteArray("retry: 1500\n") << qint64(1500);
    QTest::newRow("zero") << QByteArray("retry: 0\n") << qint64(0);
    QTest::newRow("no space") << QByteArray("retry:250\n") << qint64(250);
    QTest::newRow("trailing letter ignored") << QByteArray("retry: 10a\n") << qint64(-1);
    QTest::newRow("negative ignored") << QByteArray("retry: -5\n") << qint64(-1);
    QTest::newRow("decimal ignored") << QByteArray("retry: 1.5\n") << qint64(-1);
    QTest::newRow("empty ignored") << QByteArray("retry:\nretry\n") << qint64(-1);
    QTest::newRow("space inside ignored") << QByteArray("retry: 1 0\n") << qint64(-1);
    QTest::newRow("later valid wins") << QByteArray("retry: 100\nretry: x\nretry: 300\n") << qint64(300);
    QTest::newRow("huge saturates") << QByteArray("retry: 99999999999999999999999\n")
                                    << std::numeric_limits<qint64>::max();
}

void TestSseParser::retryField()
{
    QFETCH(QByteArray, stream);
    QFETCH(qint64, expected);
    SseParser parser;
    QVERIFY(parseWhole(stream, parser).isEmpty());
    QCOMPARE(parser.reconnectionTimeMs().value_or(-1), expected);
}

void TestSseParser::commentsAreCountedAndExposed()
{
    SseParser parser;
    parseWhole(": ping\n:\n:keep-alive 3\ndata: x\n\n", parser);
    QCOMPARE(parser.commentCount(), quint64(3));
    QCOMPARE(parser.lastComment(), QByteArrayView("keep-alive 3"));
    QCOMPARE(parser.eventCount(), quint64(1));
}

void TestSseParser::bomOnlyAtStreamStart()
{
    SseParser parser;
    QCOMPARE(describe(parseWhole("\xEF\xBB\xBF"
                                 "data: a\n\n",
                                 parser)),
             QStringList{"message||a"});
    // A second BOM is content: it becomes part of the field name, so the field is unknown.
    SseParser twice;
    QCOMPARE(describe(parseWhole("\xEF\xBB\xBF\xEF\xBB\xBF"
                                 "data: a\n\ndata: b\n\n",
                                 twice)),
             QStringList{"message||b"});
    // Not at the start: also content.
    SseParser later;
    QCOMPARE(describe(parseWhole("data: a\n\n\xEF\xBB\xBF"
                                 "data: b\n\n",
                                 later)),
             QStringList{"message||a"});
}

void TestSseParser::bomSplitAcrossChunks()
{
    SseParser parser;
    QCOMPARE(describe(parseInPieces("\xEF\xBB\xBF"
                                    "data: a\n\n",
                                    {1, 2}, parser)),
             QStringList{"message||a"});
    // A prefix of the BOM that turns out not to be one is kept as content (and replaced).
    SseParser partial;
    QCOMPARE(describe(parseInPieces("\xEF\xBB"
                                    "data: a\n\ndata: b\n\n",
                                    {1, 2}, partial)),
             QStringList{"message||b"});
    SseParser inData;
    QCOMPARE(describe(parseInPieces("\xEF"
                                    "\n\ndata: b\n\n",
                                    {1}, inData)),
             QStringList{"message||b"});
}

void TestSseParser::crAtChunkEndThenLf()
{
    // The CRLF split over two chunks is one line ending, not a line ending and an empty line.
    SseParser parser;
    QList<SseEvent> events;
    parser.feed("data: a\r", events);
    parser.feed("\ndata: b\n\n", events);
    QCOMPARE(describe(events), QStringList{"message||a\nb"});
    // …while a CR followed by a chunk without LF still ends the line.
    SseParser crOnly;
    QList<SseEvent> more;
    crOnly.feed("data: a\r", more);
    crOnly.feed("\r", more);
    QCOMPARE(describe(more), QStringList{"message||a"});
}

void TestSseParser::incompleteEventIsNotDispatchedAtReset()
{
    SseParser parser;
    QList<SseEvent> events;
    parser.feed("data: complete\n\ndata: half", events);
    parser.reset();
    parser.feed("\n\n", events);
    QCOMPARE(describe(events), QStringList{"message||complete"});
    parser.feed("data: after\n\n", events);
    QCOMPARE(describe(events), (QStringList{"message||complete", "message||after"}));
}

void TestSseParser::resetKeepsLastEventIdDropsUndispatchedId()
{
    SseParser parser;
    QList<SseEvent> events;
    parser.feed("id: 10\ndata: a\n\nid: 11\ndata: b\n", events);   // id 11 never dispatched
    parser.reset();
    QCOMPARE(parser.lastEventId(), QByteArrayView("10"));
    parser.feed("data: c\n\n", events);
    QCOMPARE(describe(events), (QStringList{"message|10|a", "message|10|c"}));
}

void TestSseParser::invalidUtf8IsReplaced_data()
{
    QTest::addColumn<QByteArray>("stream");
    QTest::addColumn<QString>("expected");
    const QString r(QChar(0xFFFD));
    QTest::newRow("lone continuation") << QByteArray("data: a\x80z\n\n") << "message||a" + r + "z";
    QTest::newRow("invalid bytes") << QByteArray("data: \xFF\xFE ok\n\n") << "message||" + r + r + " ok";
    QTest::newRow("truncated 3-byte") << QByteArray("data: \xE2\x82\n\n") << "message||" + r;
    QTest::newRow("truncated then ascii") << QByteArray("data: \xE2\x82z\n\n") << "message||" + r + "z";
    QTest::newRow("overlong") << QByteArray("data: \xC0\xAF\n\n") << "message||" + r + r;
    QTest::newRow("surrogate") << QByteArray("data: \xED\xA0\x80\n\n") << "message||" + r + r + r;
    QTest::newRow("above U+10FFFF") << QByteArray("data: \xF4\x90\x80\x80\n\n") << "message||" + r + r + r + r;
    QTest::newRow("in type and id") << QByteArray("event: \xFF\nid: \xFE\ndata: x\n\n") << r + "|" + r + "|x";
    QTest::newRow("in type, id and data at once") << QByteArray("event: a\xFF\nid: \xFE"
                                                                "b\ndata: \xC3(\n\n")
                                                  << "a" + r + "|" + r + "b|" + r + "(";
    QTest::newRow("split sequence across data lines")
        << QByteArray("data: \xE2\x82\ndata: \xAC\n\n") << "message||" + r + "\n" + r;
}

void TestSseParser::invalidUtf8IsReplaced()
{
    QFETCH(QByteArray, stream);
    QFETCH(QString, expected);
    for (const SseParser::LineScan scan : kScans) {
        // Long enough that the bad byte is found by the vector scan too, not only byte by byte.
        const QByteArray padded = ": " + QByteArray(100, 'p') + "\n" + stream;
        SseParser parser({}, scan);
        const auto events = parseWhole(padded, parser);
        QVERIFY2(describe(events) == QStringList{expected}, nameOf(scan));
        // The bytes handed on are well-formed UTF-8: a round trip through QString changes nothing.
        QCOMPARE(QString::fromUtf8(events.first().data()).toUtf8(), events.first().data().toByteArray());
    }
}

void TestSseParser::everySplitGivesTheSameEvents()
{
    const QByteArray corpus = mixedCorpus();
    for (const SseParser::LineScan scan : kScans) {
        SseParser whole({}, scan);
        const auto expected = parseWhole(corpus, whole);
        QVERIFY(expected.size() >= 8);
        for (qsizetype cut = 0; cut <= corpus.size(); ++cut) {
            SseParser split({}, scan);
            const auto events = parseInPieces(corpus, {cut}, split);
            QVERIFY2(events == expected, qPrintable(QStringLiteral("%1, split at byte %2").arg(nameOf(scan)).arg(cut)));
            QCOMPARE(split.commentCount(), whole.commentCount());
            QCOMPARE(split.reconnectionTimeMs(), whole.reconnectionTimeMs());
            QCOMPARE(split.lastEventId(), whole.lastEventId());
        }
        // Byte by byte: every boundary at once.
        SseParser bytewise({}, scan);
        QList<qsizetype> everyByte;
        for (qsizetype i = 1; i < corpus.size(); ++i)
            everyByte.append(i);
        QVERIFY2(parseInPieces(corpus, everyByte, bytewise) == expected, nameOf(scan));
    }
}

void TestSseParser::vectorScansMatchByteByByte()
{
    // Fed one byte at a time, no line end is ever found by a vector: that is the reference the
    // 64-byte blocks of each scan must match, wherever ends and bytes >= 0x80 fall in a block.
    QRandomGenerator random(2026);
    for (int round = 0; round < 400; ++round) {
        const QByteArray stream = randomStream(random, random.bounded(1, 3000)) + "\n\n";
        SseParser reference({}, SseParser::LineScan::Baseline);
        QList<SseEvent> expected;
        for (const char c : stream)
            reference.feed(QByteArrayView(&c, 1), expected);
        for (const SseParser::LineScan scan : kScans) {
            SseParser whole({}, scan);
            const QString where = QStringLiteral("%1, round %2").arg(nameOf(scan)).arg(round);
            QVERIFY2(parseWhole(stream, whole) == expected, qPrintable(where));
            QCOMPARE(whole.commentCount(), reference.commentCount());
            QCOMPARE(whole.lastEventId(), reference.lastEventId());
            QCOMPARE(whole.reconnectionTimeMs(), reference.reconnectionTimeMs());
            SseParser split({}, scan);
            const QList<qsizetype> cuts{random.bounded(stream.size() + 1)};
            QVERIFY2(parseInPieces(stream, cuts, split) == expected, qPrintable(where + QStringLiteral(", split")));
        }
    }
}

void TestSseParser::scanWindowsAndManyLineEndsKeepTheEvents()
{
    // Far more line ends in one chunk than one scan indexes at a time.
    QByteArray many;
    QStringList expected;
    for (int i = 0; i < 3000; ++i) {
        many += "data: " + QByteArray::number(i) + (i % 2 ? "\r\n\r\n" : "\n\n");
        expected << QStringLiteral("message||%1").arg(i);
    }
    // A CR as the last byte a scan covers (1 MiB from the chunk's start) and its LF as the first
    // of the next scan: one line end, not a line end and a blank line.
    constexpr qsizetype kScanBytes = 1024 * 1024;
    const QByteArray longData(kScanBytes - 1 - 6, 'a');
    const QByteArray straddling = "data: " + longData + "\r\ndata: b\n\n";
    // A line over three scans.
    const QByteArray longer = "data: " + QByteArray(3 * kScanBytes + 17, 'c') + "\n\n";
    for (const SseParser::LineScan scan : kScans) {
        SseParser parser({}, scan);
        QVERIFY2(describe(parseWhole(many, parser)) == expected, nameOf(scan));
        SseParser second({}, scan);
        const QList<SseEvent> one = parseWhole(straddling, second);
        QCOMPARE(one.size(), 1);
        QCOMPARE(one.first().data(), QByteArrayView(longData + "\nb"));
        SseParser third({}, scan);
        const QList<SseEvent> big = parseWhole(longer, third);
        QCOMPARE(big.size(), 1);
        QCOMPARE(big.first().data().size(), 3 * kScanBytes + 17);
    }
}

void TestSseParser::randomMultiSplitsGiveTheSameEvents()
{
    QByteArray corpus;
    for (int i = 0; i < 40; ++i)
        corpus += mixedCorpus().mid(3) + "\n\n";   // without the BOM, which only counts at the start
    SseParser whole;
    const auto expected = parseWhole(corpus, whole);
    QRandomGenerator random(12345);
    for (int round = 0; round < 300; ++round) {
        QList<qsizetype> cuts;
        const int n = random.bounded(1, 40);
        for (int i = 0; i < n; ++i)
            cuts.append(random.bounded(corpus.size() + 1));
        std::sort(cuts.begin(), cuts.end());
        for (const SseParser::LineScan scan : kScans) {
            SseParser split({}, scan);
            QVERIFY2(parseInPieces(corpus, cuts, split) == expected,
                     qPrintable(QStringLiteral("%1, round %2").arg(nameOf(scan)).arg(round)));
        }
    }
}

void TestSseParser::overlongLineDiscardsItsEventAndResumes()
{
    SseParser parser({16, 1024});
    const auto events = parseWhole("data: short\n\nid: 1\ndata: this line is far too long\ndata: x\n\n"
                                   "data: ok\n\n",
                                   parser);
    QCOMPARE(describe(events), (QStringList{"message||short", "message||ok"}));
    QCOMPARE(parser.discardedEvents(), quint64(1));
    QCOMPARE(parser.lastEventId(), QByteArrayView(""));   // the discarded event's id is not taken
}

void TestSseParser::overlongLineAcrossChunksStaysBounded()
{
    SseParser parser({1024, 4096});
    QList<SseEvent> events;
    parser.feed("data: begin", events);
    const QByteArray junk(1000, 'x');
    for (int i = 0; i < 10000; ++i) {   // 10 MB in one line
        parser.feed(junk, events);
        QVERIFY(parser.bufferedBytes() <= 1024);
    }
    parser.feed("\ndata: still discarded\n\ndata: next\n\n", events);
    QCOMPARE(describe(events), QStringList{"message||next"});
    QCOMPARE(parser.discardedEvents(), quint64(1));
}

void TestSseParser::oversizedEventIsDiscarded()
{
    SseParser parser({64, 100});
    QByteArray stream;
    for (int i = 0; i < 20; ++i)
        stream += "data: 0123456789\n";   // 11 bytes each into the data buffer: 220 > 100
    stream += "\ndata: fine\n\n";
    const auto events = parseWhole(stream, parser);
    QCOMPARE(describe(events), QStringList{"message||fine"});
    QCOMPARE(parser.discardedEvents(), quint64(1));
    QVERIFY(parser.bufferedBytes() <= 100);
}

void TestSseParser::eventOwnsItsBytes()
{
    QList<SseEvent> events;
    {
        SseParser parser;
        QByteArray chunk("id: 3\nevent: t\ndata: payload\n\n");
        parser.feed(chunk, events);
        chunk.fill('z');
    }
    QCOMPARE(describe(events), QStringList{"t|3|payload"});
    QCOMPARE(events.first().byteSize(), qsizetype(1 + 1 + 7));
}

void TestSseParser::eventsOfOneChunkShareOneBuffer()
{
    SseParser parser;
    QList<SseEvent> events;
    parser.feed("data: one\n\ndata: two\n\ndata: three\n\n", events);
    QCOMPARE(events.size(), 3);
    QCOMPARE(events[0].retainedBytes(), events[2].retainedBytes());
    QVERIFY(events[0].retainedBytes() >= events[0].byteSize() + events[1].byteSize() + events[2].byteSize());
    const SseEvent alone = events[1].detached();
    QCOMPARE(alone, events[1]);
    QCOMPARE(alone.retainedBytes(), alone.byteSize());
}

void TestSseParser::bufferIsNotOverwrittenWhileEventsLive()
{
    // A consumer may keep a batch while the next one is parsed: its bytes must not change.
    SseParser parser;
    QList<SseEvent> first;
    parser.feed("id: 1\ndata: first batch\n\n", first);
    QList<SseEvent> second;
    parser.feed("id: 2\ndata: SECOND BATCH\n\n", second);
    QCOMPARE(describe(first), QStringList{"message|1|first batch"});
    QCOMPARE(describe(second), QStringList{"message|2|SECOND BATCH"});
    // Once nobody holds the first batch, its buffer is reused, and the events stay right.
    first.clear();
    second.clear();
    QList<SseEvent> third;
    parser.feed("data: third\n\n", third);
    QCOMPARE(describe(third), QStringList{"message|2|third"});
}

void TestSseParser::batchesGiveTheListsEventsAtEverySplit()
{
    const QByteArray corpus = mixedCorpus();
    for (const SseParser::LineScan scan : kScans) {
        SseParser whole({}, scan);
        const auto expected = parseWhole(corpus, whole);
        for (qsizetype cut = 0; cut <= corpus.size(); ++cut) {
            // Every other split shares the buffer (events with one data line are not copied).
            const bool shared = cut % 2 == 1;
            SseParser split({}, scan);
            const SseBatch first = shared ? split.feed(corpus, 0, cut) : split.feed(QByteArrayView(corpus).first(cut));
            // And every fourth goes on unshared, after a shared feed.
            const SseBatch second = shared && cut % 4 == 1 ? split.feed(corpus, cut, corpus.size() - cut)
                                                           : split.feed(QByteArrayView(corpus).sliced(cut));
            QList<SseEvent> events = first.toList();
            second.appendTo(events);
            QVERIFY2(events == expected, qPrintable(QStringLiteral("%1, split at byte %2").arg(nameOf(scan)).arg(cut)));
            // What iterating a batch reads is what its events hold.
            qsizetype i = 0;
            for (const SseEventView view : second) {
                const SseEvent &e = events[first.size() + i++];
                QVERIFY(view.type() == e.type() && view.lastEventId() == e.lastEventId() && view.data() == e.data());
            }
            QCOMPARE(i, second.size());
        }
    }
}

void TestSseParser::batchIsNotOverwrittenWhileItLives()
{
    SseParser parser;
    SseBatch first = parser.feed("id: 1\ndata: first batch\n\n");
    const char *const firstBytes = first.at(0).data().data();
    // More events than the first batch had, so the spans grow too.
    QByteArray many;
    for (int i = 0; i < 200; ++i)
        many += "data: SECOND " + QByteArray::number(i) + "\n\n";
    SseBatch second = parser.feed(many);
    QCOMPARE(first.size(), 1);
    QCOMPARE(first.at(0).data(), QByteArrayView("first batch"));
    QCOMPARE(first.at(0).lastEventId(), QByteArrayView("1"));
    QCOMPARE(second.size(), 200);
    QCOMPARE(second.last().data(), QByteArrayView("SECOND 199"));
    QVERIFY(second.at(0).data().data() != firstBytes);
    // Once nobody holds a batch, the next one is written where it was: no allocation per chunk.
    const char *const secondBytes = second.at(0).type().data();
    first = {};
    second = {};
    const SseBatch third = parser.feed("data: third\n\n");
    QCOMPARE(third.size(), 1);
    QCOMPARE(third.at(0).type().data(), secondBytes);
    QCOMPARE(third.at(0).data(), QByteArrayView("third"));
    QCOMPARE(third.at(0).lastEventId(), QByteArrayView("1"));
    QVERIFY(parser.feed("data: unfinished").isEmpty());
}

void TestSseParser::sharedBufferHoldsOnlyWhatNeedsNoCopy()
{
    QByteArray buffer = "id: 1\ndata: one line\n\n"
                        "data: two\ndata: lines\n\n"
                        "data: bad \xFF byte\n\n"
                        "event: t\ndata: split ";
    const auto inBuffer = [&buffer](QByteArrayView bytes) {
        return bytes.data() >= buffer.constData() && bytes.data() < buffer.constData() + buffer.size();
    };
    SseParser parser;
    SseBatch batch = parser.feed(buffer, 0, buffer.size());
    QCOMPARE(batch.size(), 3);
    QCOMPARE(batch.at(0).data(), QByteArrayView("one line"));
    QVERIFY(inBuffer(batch.at(0).data()));   // one line, ASCII: shared, not copied
    QCOMPARE(batch.at(1).data(), QByteArrayView("two\nlines"));
    QVERIFY(!inBuffer(batch.at(1).data()));
    QCOMPARE(batch.at(2).data(), QByteArrayView("bad \xEF\xBF\xBD byte"));
    QVERIFY(!inBuffer(batch.at(2).data()));
    QVERIFY(!inBuffer(batch.at(0).type()) && !inBuffer(batch.at(0).lastEventId()));
    QVERIFY(batch.retainedBytes() >= buffer.size());
    // The batch holds the buffer: the caller may drop or overwrite its own.
    const char *const shared = batch.at(0).data().data();
    buffer.fill('z');
    QCOMPARE(batch.at(0).data(), QByteArrayView("one line"));
    QCOMPARE(batch.at(0).data().data(), shared);
    buffer = QByteArray();
    QCOMPARE(batch.event(0), SseEvent("message", "1", "one line"));
    QCOMPARE(batch.toList().at(1), SseEvent("message", "1", "two\nlines"));
    // A line that began in an earlier buffer is copied.
    const QByteArray rest = "line\n\n";
    batch = parser.feed(rest, 0, rest.size());
    QCOMPARE(batch.size(), 1);
    QCOMPARE(batch.at(0).data(), QByteArrayView("split line"));
    QCOMPARE(batch.at(0).type(), QByteArrayView("t"));
    QVERIFY(batch.at(0).data().data() < rest.constData()
            || batch.at(0).data().data() >= rest.constData() + rest.size());
    // A batch none of whose data lies in the buffer does not hold it.
    const QByteArray unshared = ": " + QByteArray(100'000, 'c') + "\ndata: a\ndata: b\n\n";
    batch = parser.feed(unshared, 0, unshared.size());
    QCOMPARE(batch.size(), 1);
    QVERIFY2(batch.retainedBytes() < 2 * unshared.size(), qPrintable(QString::number(batch.retainedBytes())));
    // Only part of a buffer: the rest is not read.
    const QByteArray framed = "data: x\n\ndata: y\n\n";
    batch = parser.feed(framed, 0, 10);
    QCOMPARE(batch.size(), 1);
    QCOMPARE(batch.at(0).data(), QByteArrayView("x"));
}

QTEST_GUILESS_MAIN(TestSseParser)
#include "tst_sseparser.moc"
