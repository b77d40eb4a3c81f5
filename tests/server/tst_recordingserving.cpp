// SPDX-License-Identifier: MIT
// The publisher serving a recording (Settings::replay): every SSE and WebSocket subscriber gets
// the recording from its start, or after its Last-Event-ID, at the recorded pace; read with our
// EventSource and WebSocket client and with QWebSocket, and compared with what a replay of the
// same file (what the live reader saw) delivers.
#include "core/record/recordingwriter.h"
#include "core/record/replaysource.h"
#include "core/sse/eventsource.h"
#include "core/ws/websocketsource.h"
#include "server/testpublisher.h"
#include "support/eventcollector.h"
#include "support/replayedevents.h"

#include <QElapsedTimer>
#include <QSignalSpy>
#include <QTcpSocket>
#include <QTemporaryDir>
#include <QTest>
#include <QWebSocket>

#include <memory>

using namespace Clickscope;
using namespace Clickscope::Testing;
using Recording::Kind;

namespace {

constexpr int kWaitMs = 10'000;
constexpr quint64 kMs = 1'000'000;

// Comments, ids that change and one that stays, a type, a connection cut in the middle of an
// event, and a second connection.
void writeSseRecording(const QString &path)
{
    RecordingWriter writer;
    QVERIFY(writer.open(path, {{QStringLiteral("transport"), QStringLiteral("sse")}}));
    QVERIFY(writer.add(Kind::Attempt, 0, {}));
    QVERIFY(writer.add(Kind::Data, 1 * kMs, QByteArrayView(": hello\nid: 1\ndata: one\n\nevent: click\nid: 2\nda")));
    QVERIFY(writer.add(Kind::Data, 2 * kMs, QByteArrayView("ta: {\"link\":\"/a\"}\n\n: ping\n\ndata: keeps id 2\n\n")));
    QVERIFY(writer.add(Kind::Data, 3 * kMs, QByteArrayView("id: 3\ndata: line 1\ndata: line 2\n\nid: 9\ndata: cut")));
    QVERIFY(writer.add(Kind::End, 4 * kMs, QByteArrayView("{}")));
    QVERIFY(writer.add(Kind::Attempt, 5 * kMs, {}));
    QVERIFY(writer.add(Kind::Data, 6 * kMs, QByteArrayView("id: 4\ndata: after\n\n")));
    QVERIFY(writer.close());
}

struct Served
{
    explicit Served(const QString &path, TimelinePlayback::Pace pace = {0, false})
    {
        Result<RecordingTimeline> timeline = RecordingTimeline::load(path);
        if (!timeline)
            qFatal("%s", qPrintable(timeline.error()));
        TestPublisher::Settings settings;
        settings.heartbeatMs = 0;
        settings.replay =
            TestPublisher::Settings::Replay{std::make_shared<const RecordingTimeline>(std::move(*timeline)), pace};
        publisher = std::make_unique<TestPublisher>(settings);
        if (!publisher->listen())
            qFatal("cannot listen");
    }
    QUrl url(const char *path) const { return publisher->baseUrl().resolved(QUrl(QString::fromLatin1(path))); }

    std::unique_ptr<TestPublisher> publisher;
};

QList<SseEvent> after(const QList<SseEvent> &events, QByteArrayView id)
{
    for (qsizetype i = 0; i < events.size(); ++i) {
        if (events[i].lastEventId() == id)
            return events.mid(i + 1);
    }
    return {};
}

}   // namespace

class TestRecordingServing : public QObject
{
    Q_OBJECT
private slots:
    void everySubscriberGetsTheWholeRecording();
    void aReaderResumesAfterItsLastEventId();
    void webSocketReadersGetEventsAsMessages();
    void aWebSocketRecordingIsServedOverBoth();
    void theRecordedPaceIsKept();
    void aLoopPlaysItAgain();
    void aSlowReaderIsWaitedForNotDropped();
    void aLoopThatGivesNothingEnds();
};

void TestRecordingServing::everySubscriberGetsTheWholeRecording()
{
    QTemporaryDir dir;
    const QString path = dir.filePath(QStringLiteral("sse.csrec"));
    writeSseRecording(path);
    const QList<SseEvent> expected = replayedEvents(path);
    QCOMPARE(expected.size(), 5);
    Served served(path);
    for (int reader = 0; reader < 2; ++reader) {   // the second comes after the first has it all
        SourceConfig config;
        config.url = served.url("/events");
        EventSource source(config);
        EventCollector events(&source);
        quint64 comments = 0;
        QString lastComment;
        connect(&source, &StreamSource::commentsReceived, this, [&](quint64 total, const QString &last) {
            comments = total;
            lastComment = last;
        });
        source.open();
        QTRY_COMPARE_WITH_TIMEOUT(events.events.size(), expected.size(), kWaitMs);
        QCOMPARE(events.events, expected);   // type, id and data
        QTRY_COMPARE_WITH_TIMEOUT(comments, 2u, kWaitMs);
        QCOMPARE(lastComment, QStringLiteral(" ping"));
        QCOMPARE(source.state(), StreamSource::State::Open);   // the stream stays open at the end
    }
}

void TestRecordingServing::aReaderResumesAfterItsLastEventId()
{
    QTemporaryDir dir;
    const QString path = dir.filePath(QStringLiteral("sse.csrec"));
    writeSseRecording(path);
    const QList<SseEvent> all = replayedEvents(path);
    Served served(path);

    SourceConfig config;
    config.url = served.url("/events");
    config.lastEventId = "2";
    EventSource resumed(config);
    EventCollector events(&resumed);
    resumed.open();
    const QList<SseEvent> expected = after(all, "2");   // the event without an id of its own, then 3 and 4
    QCOMPARE(expected.size(), 3);
    QTRY_COMPARE_WITH_TIMEOUT(events.events.size(), expected.size(), kWaitMs);
    QCOMPARE(events.events, expected);

    // An id the recording never had: all of it, and a comment that says why.
    config.lastEventId = "77";
    EventSource unknown(config);
    EventCollector fromStart(&unknown);
    QString firstComment;
    connect(&unknown, &StreamSource::commentsReceived, this, [&](quint64 total, const QString &last) {
        if (total == 1)
            firstComment = last;
    });
    unknown.open();
    QTRY_COMPARE_WITH_TIMEOUT(fromStart.events.size(), all.size(), kWaitMs);
    QVERIFY2(firstComment.contains(QStringLiteral("'77' is not in this recording")), qPrintable(firstComment));
    QCOMPARE(fromStart.events.first().lastEventId(), QByteArrayView("1"));
}

void TestRecordingServing::webSocketReadersGetEventsAsMessages()
{
    QTemporaryDir dir;
    const QString path = dir.filePath(QStringLiteral("sse.csrec"));
    writeSseRecording(path);
    QStringList expected;
    for (const SseEvent &event : replayedEvents(path))
        expected << event.dataString();
    Served served(path);

    SourceConfig config;
    config.url = served.url("/ws");
    config.url.setScheme(QStringLiteral("ws"));
    WebSocketSource source(config);
    EventCollector events(&source);
    source.open();
    QTRY_COMPARE_WITH_TIMEOUT(events.events.size(), expected.size(), kWaitMs);
    QCOMPARE(events.data(), expected);

    // Resuming works over WebSocket too, with the id in the query.
    QUrl resumeUrl = config.url;
    resumeUrl.setQuery(QStringLiteral("lastEventId=3"));
    QWebSocket client;
    QStringList messages;
    connect(&client, &QWebSocket::textMessageReceived, this, [&](const QString &m) { messages << m; });
    client.open(resumeUrl);
    QTRY_COMPARE_WITH_TIMEOUT(messages, QStringList{QStringLiteral("after")}, kWaitMs);
}

void TestRecordingServing::aWebSocketRecordingIsServedOverBoth()
{
    QTemporaryDir dir;
    const QString path = dir.filePath(QStringLiteral("ws.csrec"));
    const QByteArray binary("\0\1\xff", 3);
    {
        RecordingWriter writer;
        QVERIFY(writer.open(path, {{QStringLiteral("transport"), QStringLiteral("websocket")}}));
        QVERIFY(writer.add(Kind::Attempt, 0, {}));
        QVERIFY(writer.add(Kind::TextMessage, 1 * kMs, QByteArrayView("{\"link\":\"/a\"}")));
        QVERIFY(writer.add(Kind::BinaryMessage, 2 * kMs, binary));
        QVERIFY(writer.add(Kind::TextMessage, 3 * kMs, QByteArrayView("two\nlines")));
        QVERIFY(writer.close());
    }
    Served served(path);

    // SSE: each text message is an event; a binary one has no SSE form and is left out.
    SourceConfig config;
    config.url = served.url("/events");
    EventSource sse(config);
    EventCollector events(&sse);
    sse.open();
    QTRY_COMPARE_WITH_TIMEOUT(events.events.size(), 2, kWaitMs);
    QCOMPARE(events.data(), (QStringList{QStringLiteral("{\"link\":\"/a\"}"), QStringLiteral("two\nlines")}));
    QCOMPARE(events.types(), (QStringList{QStringLiteral("message"), QStringLiteral("message")}));

    // WebSocket: the messages as they were, binary included, in order.
    QUrl wsUrl = served.url("/ws");
    wsUrl.setScheme(QStringLiteral("ws"));
    QWebSocket client;
    QList<QByteArray> frames;
    connect(&client, &QWebSocket::textMessageReceived, this, [&](const QString &m) { frames << "text:" + m.toUtf8(); });
    connect(&client, &QWebSocket::binaryMessageReceived, this, [&](const QByteArray &m) { frames << "binary:" + m; });
    client.open(wsUrl);
    QTRY_COMPARE_WITH_TIMEOUT(frames.size(), 3, kWaitMs);
    QCOMPARE(frames, (QList<QByteArray>{"text:{\"link\":\"/a\"}", "binary:" + binary, "text:two\nlines"}));
}

void TestRecordingServing::theRecordedPaceIsKept()
{
    // Never early: an event recorded t ms after the start comes no sooner than t / speed ms after
    // the request (the playback's clock starts after it). Lateness is only bounded loosely, for a
    // loaded machine.
    QTemporaryDir dir;
    const QString path = dir.filePath(QStringLiteral("paced.csrec"));
    const QList<int> recordedMs{0, 150, 300, 600};
    {
        RecordingWriter writer;
        QVERIFY(writer.open(path, {}));
        for (int i = 0; i < recordedMs.size(); ++i)
            QVERIFY(
                writer.add(Kind::Data, quint64(recordedMs[i]) * kMs, "id: " + QByteArray::number(i) + "\ndata: x\n\n"));
        QVERIFY(writer.close());
    }
    for (const double speed : {1.0, 3.0}) {
        Served served(path, {speed, false});
        SourceConfig config;
        config.url = served.url("/events");
        EventSource source(config);
        QList<qint64> arrivalMs;
        QElapsedTimer clock;
        connect(&source, &StreamSource::eventsReceived, this, [&](const SseBatch &batch) {
            for (qsizetype i = 0; i < batch.size(); ++i)
                arrivalMs << clock.elapsed();
        });
        clock.start();
        source.open();
        QTRY_COMPARE_WITH_TIMEOUT(arrivalMs.size(), recordedMs.size(), kWaitMs);
        for (int i = 0; i < recordedMs.size(); ++i) {
            const double dueMs = recordedMs[i] / speed;
            QVERIFY2(arrivalMs[i] >= dueMs - 1 && arrivalMs[i] <= dueMs + 2000,
                     qPrintable(QStringLiteral("speed %1: event %2 due at %3 ms came at %4 ms")
                                    .arg(speed)
                                    .arg(i)
                                    .arg(dueMs)
                                    .arg(arrivalMs[i])));
        }
    }
}

void TestRecordingServing::aLoopPlaysItAgain()
{
    QTemporaryDir dir;
    const QString path = dir.filePath(QStringLiteral("sse.csrec"));
    writeSseRecording(path);
    const QList<SseEvent> once = replayedEvents(path);
    Served served(path, {0, true});
    SourceConfig config;
    config.url = served.url("/events");
    EventSource source(config);
    EventCollector events(&source);
    source.open();
    QTRY_VERIFY_WITH_TIMEOUT(events.events.size() >= 3 * once.size(), kWaitMs);
    source.close();
    for (int round = 0; round < 3; ++round)
        QCOMPARE(events.events.mid(round * once.size(), once.size()), once);
}

void TestRecordingServing::aSlowReaderIsWaitedForNotDropped()
{
    // 16 MiB as fast as possible to a reader that takes 16 KiB at a time: far more than the
    // publisher lets a subscriber fall behind (4 MiB) before it drops it, unless the playback
    // waits for the reader.
    QTemporaryDir dir;
    const QString path = dir.filePath(QStringLiteral("big.csrec"));
    constexpr int kEvents = 16 * 1024;
    const QByteArray payload(1000, 'x');
    {
        RecordingWriter writer;
        QVERIFY(writer.open(path, {}));
        for (int i = 0; i < kEvents; ++i)
            QVERIFY(writer.add(Kind::Data, quint64(i), "data: " + payload + "\n\n"));
        QVERIFY(writer.close());
    }
    Served served(path);
    QTcpSocket reader;
    reader.setReadBufferSize(16 * 1024);
    qint64 events = 0;
    QByteArray tail;
    connect(&reader, &QTcpSocket::readyRead, this, [&] {
        tail += reader.read(16 * 1024);
        for (qsizetype at = tail.indexOf("\n\n"); at >= 0; at = tail.indexOf("\n\n")) {
            if (tail.startsWith("data: "))
                ++events;
            tail.remove(0, at + 2);
        }
    });
    reader.connectToHost(QHostAddress::LocalHost, served.publisher->port());
    QVERIFY(reader.waitForConnected(kWaitMs));
    reader.write("GET /events HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n");
    QTRY_COMPARE_WITH_TIMEOUT(events, kEvents, 4 * kWaitMs);
    QCOMPARE(served.publisher->droppedSubscribers(), 0u);
    QCOMPARE(reader.state(), QAbstractSocket::ConnectedState);
}

void TestRecordingServing::aLoopThatGivesNothingEnds()
{
    // Comments only, to a reader that cannot take comments (a WebSocket), as fast as possible in
    // a loop: the playback ends instead of going round forever.
    QTemporaryDir dir;
    const QString path = dir.filePath(QStringLiteral("comments.csrec"));
    {
        RecordingWriter writer;
        QVERIFY(writer.open(path, {}));
        QVERIFY(writer.add(Kind::Data, 0, QByteArrayView(": one\n: two\n")));
        QVERIFY(writer.close());
    }
    Result<RecordingTimeline> timeline = RecordingTimeline::load(path);
    QVERIFY(timeline);
    int deliveries = 0;
    TimelinePlayback playback(
        std::make_shared<const RecordingTimeline>(std::move(*timeline)), {0, true}, 0,
        [&](qsizetype, qsizetype) -> qint64 {
            ++deliveries;
            return 0;
        },
        [] { return qint64(0); });
    playback.start();
    QTRY_VERIFY_WITH_TIMEOUT(playback.finished(), kWaitMs);
    QCOMPARE(deliveries, 1);
}

QTEST_MAIN(TestRecordingServing)
#include "tst_recordingserving.moc"
