// SPDX-License-Identifier: MIT
// Recordings: the writer and reader agree, damage is reported with where and what after everything
// before it, and a stream recorded live (malformed bytes, comments, a reconnect) replays to the
// same events through the same parser.
#include "core/record/recordingreader.h"
#include "core/record/recordingwriter.h"
#include "core/record/replaysource.h"
#include "core/record/streamrecorder.h"
#include "core/sse/eventsource.h"
#include "support/eventcollector.h"
#include "support/scriptedhttpserver.h"

#include <QFile>
#include <QSignalSpy>
#include <QTemporaryDir>
#include <QTest>

using namespace Clickscope;
using Clickscope::Testing::EventCollector;
using Clickscope::Testing::ScriptedHttpServer;
using Response = ScriptedHttpServer::Response;
using Recording::Kind;

namespace {

constexpr int kWaitMs = 5000;

struct ReadBack
{
    QJsonObject header;
    QList<Recording::Record> records;
    QString error;   // empty when the file read to its end
};

ReadBack readAll(const QString &path)
{
    ReadBack back;
    RecordingReader reader;
    if (const Result<void> ok = reader.open(path); !ok) {
        back.error = ok.error();
        return back;
    }
    back.header = reader.header();
    for (int i = 0; i < 1'000'000; ++i) {
        auto record = reader.next();
        if (!record) {
            back.error = record.error();
            break;
        }
        if (!*record)
            break;
        back.records.append(std::move(**record));
    }
    return back;
}

// A file of three blocks: data records "a", "b", "c", flushed one by one.
QString threeBlocks(const QTemporaryDir &dir)
{
    const QString path = dir.filePath(QStringLiteral("three.csrec"));
    RecordingWriter writer;
    [&] {
        QVERIFY(writer.open(path, {{QStringLiteral("format"), QStringLiteral("clickscope-recording")}}));
        for (const char *bytes : {"a", "b", "c"}) {
            QVERIFY(writer.add(Kind::Data, quint64(bytes[0]) * 1000, QByteArrayView(bytes)));
            QVERIFY(writer.flush());
        }
        QVERIFY(writer.close());
    }();
    return path;
}

QByteArray contents(const QString &path)
{
    QFile file(path);
    return file.open(QIODevice::ReadOnly) ? file.readAll() : QByteArray();
}

void overwrite(const QString &path, const QByteArray &bytes)
{
    QFile file(path);
    QVERIFY(file.open(QIODevice::WriteOnly | QIODevice::Truncate));
    QCOMPARE(file.write(bytes), bytes.size());
}

}   // namespace

class TestRecording : public QObject
{
    Q_OBJECT
private slots:
    void writtenRecordsReadBack();
    void damageIsReportedAfterWhatCameBefore_data();
    void damageIsReportedAfterWhatCameBefore();
    void aLiveStreamReplaysToTheSameEvents();
    void aRecordingStartedMidEventJoinsAtTheNextEvent_data();
    void aRecordingStartedMidEventJoinsAtTheNextEvent();
    void anUnwritableFileIsRefused();
    void aFullDiskStopsTheRecordingNotTheStream();
};

void TestRecording::writtenRecordsReadBack()
{
    QTemporaryDir dir;
    const QString path = dir.filePath(QStringLiteral("r.csrec"));
    RecordingWriter writer;
    QVERIFY(writer.open(path, {{QStringLiteral("url"), QStringLiteral("http://h/s")}}));
    const QByteArray big(3 * Recording::kBlockTargetBytes, 'x');   // spans blocks of its own
    QVERIFY(writer.add(Kind::Attempt, 1, {}));
    QVERIFY(writer.add(Kind::Data, 2, QByteArrayView("data: \xff\n\n")));
    QVERIFY(writer.add(Kind::Data, 3, big));
    QVERIFY(writer.add(Kind::BinaryMessage, 4, QByteArrayView("\0\1", 2)));
    QVERIFY(writer.add(Kind::End, 5, QByteArrayView("{}")));
    QVERIFY(writer.close());
    QVERIFY(writer.fileBytes() < big.size() / 10);   // compressed
    const ReadBack back = readAll(path);
    QVERIFY2(back.error.isEmpty(), qPrintable(back.error));
    QCOMPARE(back.header.value("url").toString(), QStringLiteral("http://h/s"));
    QCOMPARE(back.records.size(), 5);
    QCOMPARE(back.records[1].payload, QByteArray("data: \xff\n\n"));
    QCOMPARE(back.records[2].payload, big);
    QCOMPARE(back.records[3].payload, QByteArray("\0\1", 2));
    QCOMPARE(back.records[3].kind, Kind::BinaryMessage);
    QCOMPARE(back.records[4].timeNs, quint64(5));
}

void TestRecording::damageIsReportedAfterWhatCameBefore_data()
{
    QTest::addColumn<QString>("damage");
    QTest::addColumn<int>("recordsBefore");
    QTest::addColumn<QString>("error");
    QTest::newRow("cut in the last block") << "cut" << 2 << "cut short: a block of";
    QTest::newRow("cut in a block's head") << "cut head" << 2 << "cut short inside a block's head";
    QTest::newRow("a flipped byte") << "flip" << 2 << "does not decompress";
    QTest::newRow("an absurd size") << "size" << 2 << "over the format's limit";
    QTest::newRow("a later version") << "version" << 0 << "format version 9";
    QTest::newRow("not a recording") << "foreign" << 0 << "not a Clickscope recording";
    QTest::newRow("empty") << "empty" << 0 << "not a Clickscope recording";
}

void TestRecording::damageIsReportedAfterWhatCameBefore()
{
    QFETCH(QString, damage);
    QFETCH(int, recordsBefore);
    QFETCH(QString, error);
    QTemporaryDir dir;
    const QString path = threeBlocks(dir);
    QByteArray bytes = contents(path);
    const ReadBack whole = readAll(path);
    QCOMPARE(whole.records.size(), 3);
    // Where the last block starts: the file less the last block's head and frame.
    RecordingReader reader;
    QVERIFY(reader.open(path));
    for (int i = 0; i < 2; ++i)
        QVERIFY(reader.next());
    const qint64 lastBlock = reader.offset();
    if (damage == u"cut")
        bytes.chop(3);
    else if (damage == u"cut head")
        bytes.truncate(lastBlock + 5);
    else if (damage == u"flip")
        bytes[bytes.size() - 6] = char(bytes[bytes.size() - 6] ^ 0x5a);
    else if (damage == u"size")
        bytes.replace(lastBlock + 4, 4, QByteArray("\xff\xff\xff\x7f", 4));
    else if (damage == u"version")
        bytes[Recording::kMagicSize] = 9;
    else if (damage == u"foreign")
        bytes = "HTTP/1.1 200 OK\r\nContent-Type: text/event-stream\r\n\r\ndata: x\n\n";
    else
        bytes.clear();
    overwrite(path, bytes);
    const ReadBack back = readAll(path);
    QCOMPARE(back.records.size(), recordsBefore);
    QVERIFY2(back.error.contains(error), qPrintable(back.error));
    QVERIFY2(back.error.contains(QStringLiteral("at byte")) || back.error.contains(QStringLiteral("before byte")),
             qPrintable(back.error));
}

void TestRecording::aLiveStreamReplaysToTheSameEvents()
{
    // Invalid UTF-8, CR line ends, a comment, a field without a colon, an event split over two
    // writes; then the server closes in the middle of an event (which the client drops) and the
    // client comes back with Last-Event-ID.
    ScriptedHttpServer server;
    QVERIFY(server.listen());
    server.route("/s", Response::sse("retry: 20\r: ping\rid: 1\rdata: caf\xc3\r\r")
                           .then(30, "id: 2\ndata: \xff bad\ndata")
                           .then(30, ": split\n\nevent: click\nid: 3\ndata: {\"link\":\"/a\"}\n\n")
                           .then(30, "id: 9\ndata: cut off"));
    server.routeResume("/s", "3", Response::sse(": again\n\nid: 4\ndata: after\n\n"));
    QTemporaryDir dir;
    const QString path = dir.filePath(QStringLiteral("live.csrec"));

    SourceConfig config;
    config.url = server.url(QStringLiteral("/s"));
    EventSource live(config);
    EventCollector liveEvents(&live);
    QSignalSpy liveReconnects(&live, &StreamSource::reconnectScheduled);
    quint64 liveComments = 0;
    connect(&live, &StreamSource::commentsReceived, this, [&](quint64 total) { liveComments = total; });
    StreamRecorder recorder(live);
    QVERIFY(recorder.start(path));
    live.open();
    QTRY_COMPARE_WITH_TIMEOUT(liveEvents.events.size(), 4, kWaitMs);
    QTRY_VERIFY_WITH_TIMEOUT(liveReconnects.size() >= 2, kWaitMs);   // the second connection ended too
    live.close();
    QVERIFY(recorder.stop());

    const ReadBack file = readAll(path);
    QVERIFY2(file.error.isEmpty(), qPrintable(file.error));
    QCOMPARE(file.header.value("transport").toString(), QStringLiteral("sse"));
    QCOMPARE(file.header.value("url").toString(), config.url.toString());

    ReplaySource replay(path, 0);
    EventCollector replayed(&replay);
    QSignalSpy replayReconnects(&replay, &StreamSource::reconnectScheduled);
    QSignalSpy ended(&replay, &StreamSource::ended);
    quint64 replayComments = 0;
    connect(&replay, &StreamSource::commentsReceived, this, [&](quint64 total) { replayComments = total; });
    replay.open();
    QVERIFY(ended.wait(kWaitMs));
    QCOMPARE(ended.first().first().toString(), QStringLiteral("the recording ended"));
    QCOMPARE(replayed.events, liveEvents.events);   // type, id and data, byte for byte
    QCOMPARE(replayComments, liveComments);
    QCOMPARE(replayReconnects.size(), liveReconnects.size());
    QCOMPARE(replay.totalBytes(), live.totalBytes());
}

void TestRecording::aRecordingStartedMidEventJoinsAtTheNextEvent_data()
{
    // The recorder starts after `first` has arrived; what replays must never be an event whose
    // start it did not see ("more"), and never lose one it saw whole ("three").
    QTest::addColumn<QByteArray>("first");
    QTest::addColumn<QByteArray>("second");
    QTest::addColumn<bool>("joined");
    QTest::newRow("inside a line of an event") << QByteArray("id: 1\ndata: one\n\nid: 2\ndata: tw")
                                               << QByteArray("o\ndata: more\n\nid: 3\ndata: three\n\n") << true;
    QTest::newRow("at the start of a line of an event")
        << QByteArray("id: 1\ndata: one\n\nid: 2\ndata: two\n") << QByteArray("\nid: 3\ndata: three\n\n") << true;
    QTest::newRow("after a CR inside an event")
        << QByteArray("id: 1\ndata: one\r\rid: 2\rdata: two\r") << QByteArray("\n\r\nid: 3\ndata: three\n\n") << true;
    QTest::newRow("between events") << QByteArray("id: 1\ndata: one\n\n") << QByteArray("id: 3\ndata: three\n\n")
                                    << false;
}

void TestRecording::aRecordingStartedMidEventJoinsAtTheNextEvent()
{
    QFETCH(QByteArray, first);
    QFETCH(QByteArray, second);
    QFETCH(bool, joined);
    ScriptedHttpServer server;
    QVERIFY(server.listen());
    server.route("/s", Response::sse(first).keepOpen());   // the rest when the test says
    SourceConfig config;
    config.url = server.url(QStringLiteral("/s"));
    config.reconnect = false;
    EventSource source(config);
    EventCollector events(&source);
    source.open();
    QTRY_COMPARE_WITH_TIMEOUT(events.events.size(), 1, kWaitMs);
    QTRY_COMPARE_WITH_TIMEOUT(source.totalBytes(), quint64(first.size()), kWaitMs);
    QCOMPARE(source.readPosition().atEventBoundary, !joined);

    QTemporaryDir dir;
    const QString path = dir.filePath(QStringLiteral("joined.csrec"));
    StreamRecorder recorder(source);
    QVERIFY(recorder.start(path));
    server.sendToAll(second);
    QTRY_COMPARE_WITH_TIMEOUT(events.events.last().lastEventId(), QByteArrayView("3"), kWaitMs);
    QVERIFY(recorder.stop());

    const ReadBack file = readAll(path);
    QCOMPARE(file.header.value("joinedMidStream").toBool(), joined);
    ReplaySource replay(path, 0);
    EventCollector replayed(&replay);
    QSignalSpy ended(&replay, &StreamSource::ended);
    bool opened = false;   // no attempt or head was recorded: the data says the stream was open
    connect(&replay, &StreamSource::stateChanged, this,
            [&](StreamSource::State state) { opened = opened || state == StreamSource::State::Open; });
    replay.open();
    QVERIFY(ended.wait(kWaitMs));
    QCOMPARE(replayed.data(), QStringList{QStringLiteral("three")});   // never "more"
    QVERIFY(opened);
}

void TestRecording::anUnwritableFileIsRefused()
{
    SourceConfig config;
    config.url = QUrl(QStringLiteral("http://127.0.0.1:1/s"));
    EventSource source(config);
    StreamRecorder recorder(source);
    const Result<void> started = recorder.start(QStringLiteral("/nonexistent-dir/r.csrec"));
    QVERIFY(!started);
    QVERIFY2(started.error().contains(QStringLiteral("/nonexistent-dir/r.csrec")), qPrintable(started.error()));
    QVERIFY(!recorder.isRecording());
}

void TestRecording::aFullDiskStopsTheRecordingNotTheStream()
{
    if (!QFile::exists(QStringLiteral("/dev/full")))
        QSKIP("needs /dev/full, a file every write to fails as on a full disk");
    ScriptedHttpServer server;
    QVERIFY(server.listen());
    // The second event comes well after the recorder's first flush has met the full disk.
    server.route("/s",
                 Response::sse("id: 1\ndata: one\n\n").then(StreamRecorder::kFlushEveryMs * 3, "id: 2\ndata: two\n\n"));
    SourceConfig config;
    config.url = server.url(QStringLiteral("/s"));
    EventSource source(config);
    EventCollector events(&source);
    StreamRecorder recorder(source);
    QSignalSpy failed(&recorder, &StreamRecorder::failed);
    QVERIFY(recorder.start(QStringLiteral("/dev/full")));   // the head fits in the file's buffer
    source.open();
    QVERIFY(failed.wait(kWaitMs));
    const QString message = failed.first().first().toString();
    QVERIFY2(message.contains(QStringLiteral("/dev/full")) && message.contains(QStringLiteral("space")),
             qPrintable(message));
    QVERIFY(!recorder.isRecording());
    QTRY_COMPARE_WITH_TIMEOUT(events.events.size(), 2, kWaitMs);
    QCOMPARE(failed.size(), 1);   // said once, not once per read
    const Result<void> stopped = recorder.stop();
    QVERIFY(!stopped);
    QCOMPARE(stopped.error(), message);
}

QTEST_GUILESS_MAIN(TestRecording)
#include "tst_recording.moc"
