// SPDX-License-Identifier: MIT
// The SSE encoder is the parser's inverse: what it writes parses back to the same type, id and
// data, with only the changes the format forces (a CR in data comes back as an LF).
#include "core/sse/sseencoder.h"
#include "core/sse/sseparser.h"

#include <QTest>

using namespace Clickscope;

namespace {

struct Written
{
    QByteArray type, id, data;
};

QList<SseEvent> parse(const QByteArray &bytes, quint64 *comments = nullptr, QByteArray *lastComment = nullptr)
{
    SseParser parser;
    QList<SseEvent> events;
    parser.feed(bytes, events);
    if (comments)
        *comments = parser.commentCount();
    if (lastComment)
        *lastComment = parser.lastComment().toByteArray();
    return events;
}

}   // namespace

class TestSseEncoder : public QObject
{
    Q_OBJECT
private slots:
    void eventsParseBackToThemselves_data();
    void eventsParseBackToThemselves();
    void idsAreWrittenOnlyWhenTheyChange();
    void commentsParseBackToTheirText();
};

void TestSseEncoder::eventsParseBackToThemselves_data()
{
    QTest::addColumn<QByteArray>("type");
    QTest::addColumn<QByteArray>("id");
    QTest::addColumn<QByteArray>("data");
    QTest::addColumn<QByteArray>("parsedData");
    QTest::newRow("plain") << QByteArray("click") << QByteArray("7") << QByteArray("{\"link\":\"/a\"}")
                           << QByteArray("{\"link\":\"/a\"}");
    QTest::newRow("default type") << QByteArray("message") << QByteArray("x") << QByteArray("d") << QByteArray("d");
    QTest::newRow("lines") << QByteArray("t") << QByteArray("1") << QByteArray("a\nb\n\nc") << QByteArray("a\nb\n\nc");
    QTest::newRow("empty data") << QByteArray("t") << QByteArray("1") << QByteArray() << QByteArray();
    QTest::newRow("trailing newline") << QByteArray("t") << QByteArray("1") << QByteArray("a\n") << QByteArray("a\n");
    QTest::newRow("leading space and colon")
        << QByteArray("t") << QByteArray("1") << QByteArray("  :x: y") << QByteArray("  :x: y");
    QTest::newRow("CR and CRLF") << QByteArray("t") << QByteArray("1") << QByteArray("a\rb\r\nc")
                                 << QByteArray("a\nb\nc");
    QTest::newRow("UTF-8") << QByteArray("t") << QByteArray("é") << QByteArray("caf\xc3\xa9 \xe2\x9c\x93")
                           << QByteArray("caf\xc3\xa9 \xe2\x9c\x93");
}

void TestSseEncoder::eventsParseBackToThemselves()
{
    QFETCH(QByteArray, type);
    QFETCH(QByteArray, id);
    QFETCH(QByteArray, data);
    QFETCH(QByteArray, parsedData);
    QByteArray bytes;
    appendSseEvent(bytes, type, id, data);
    const QList<SseEvent> events = parse(bytes);
    QCOMPARE(events.size(), 1);
    QCOMPARE(events.first().type().toByteArray(), type);
    QCOMPARE(events.first().lastEventId().toByteArray(), id);
    QCOMPARE(events.first().data().toByteArray(), parsedData);
}

void TestSseEncoder::idsAreWrittenOnlyWhenTheyChange()
{
    // The ids a reader ends up with: 1, 1, cleared, 2; the reader starts with "0".
    const QList<Written> written{{"a", "1", "x"}, {"a", "1", "y"}, {"a", "", "z"}, {"a", "2", "w"}};
    QByteArray bytes;
    QByteArray previous("0");
    for (const Written &w : written) {
        appendSseEvent(bytes, w.type, w.id, w.data, previous);
        previous = w.id;
    }
    QCOMPARE(bytes.count("id"), 3);
    SseParser parser;
    parser.setLastEventId("0");
    QList<SseEvent> events;
    parser.feed(bytes, events);
    QCOMPARE(events.size(), written.size());
    for (qsizetype i = 0; i < written.size(); ++i) {
        QCOMPARE(events[i].lastEventId().toByteArray(), written[i].id);
        QCOMPARE(events[i].data().toByteArray(), written[i].data);
    }
}

void TestSseEncoder::commentsParseBackToTheirText()
{
    QByteArray bytes;
    appendSseComment(bytes, " ping");
    quint64 comments = 0;
    QByteArray last;
    QVERIFY(parse(bytes, &comments, &last).isEmpty());
    QCOMPARE(comments, 1u);
    QCOMPARE(last, QByteArray(" ping"));
    bytes.clear();
    appendSseComment(bytes, "one\ntwo");   // two comment lines, never a field
    QVERIFY(parse(bytes, &comments, &last).isEmpty());
    QCOMPARE(comments, 2u);
    QCOMPARE(last, QByteArray("two"));
}

QTEST_APPLESS_MAIN(TestSseEncoder)
#include "tst_sseencoder.moc"
