// SPDX-License-Identifier: MIT
// A recording's timeline: the events the parser dispatched, each comment in its place among them,
// WebSocket messages, their times; a cut connection loses its unfinished event as it did live;
// resuming after an id; damage and size bounds.
#include "core/record/recordingtimeline.h"
#include "core/record/recordingwriter.h"

#include <QFile>
#include <QTemporaryDir>
#include <QTest>

using namespace Clickscope;
using Recording::Kind;
using EntryKind = RecordingTimeline::Kind;

namespace {

constexpr quint64 kMs = 1'000'000;

struct Shown
{
    EntryKind kind;
    quint64 timeNs;
    QByteArray type, id, data;
    friend bool operator==(const Shown &, const Shown &) = default;
};

QList<Shown> shown(const RecordingTimeline &timeline)
{
    QList<Shown> out;
    for (const RecordingTimeline::Entry &e : timeline.entries())
        out.append({e.kind, e.timeNs, timeline.type(e).toByteArray(), timeline.id(e).toByteArray(),
                    timeline.data(e).toByteArray()});
    return out;
}

}   // namespace

namespace QTest {
template<>
char *toString(const Shown &s)
{
    return qstrdup(QByteArray::number(int(s.kind)) + " @" + QByteArray::number(s.timeNs) + " " + s.type + " [" + s.id
                   + "] " + s.data);
}
}   // namespace QTest

class TestRecordingTimeline : public QObject
{
    Q_OBJECT
private slots:
    void commentsTakeTheirPlaceAmongEvents();
    void webSocketMessagesAreEntries();
    void resumingFindsTheEventAfterAnId();
    void damageKeepsWhatCameBefore();
    void aRecordingTooLargeToHoldIsRefused();
};

void TestRecordingTimeline::commentsTakeTheirPlaceAmongEvents()
{
    QTemporaryDir dir;
    const QString path = dir.filePath(QStringLiteral("sse.csrec"));
    RecordingWriter writer;
    QVERIFY(writer.open(path, {{QStringLiteral("transport"), QStringLiteral("sse")}}));
    QVERIFY(writer.add(Kind::Attempt, 0, {}));
    // One read with a comment between two events; CR line ends; a read that splits a line.
    QVERIFY(writer.add(Kind::Data, 10 * kMs, QByteArrayView(": hello\rid: 1\rdata: a\r\r: between\nevent: click\nda")));
    QVERIFY(writer.add(Kind::Data, 20 * kMs, QByteArrayView("ta: b\n\nid: 9\ndata: cut")));
    QVERIFY(writer.add(Kind::End, 30 * kMs, QByteArrayView("{}")));
    // The next connection: what the last one left unfinished is gone.
    QVERIFY(writer.add(Kind::Attempt, 40 * kMs, {}));
    QVERIFY(writer.add(Kind::Data, 50 * kMs, QByteArrayView("data: c\n\n")));
    QVERIFY(writer.add(Kind::End, 60 * kMs, QByteArrayView("{}")));
    QVERIFY(writer.close());

    const Result<RecordingTimeline> timeline = RecordingTimeline::load(path);
    QVERIFY2(timeline, timeline ? "" : qPrintable(timeline.error()));
    QCOMPARE(timeline->transport(), QStringLiteral("sse"));
    const QList<Shown> expected{
        {EntryKind::Comment, 10 * kMs, {}, {}, " hello"},   {EntryKind::Event, 10 * kMs, "message", "1", "a"},
        {EntryKind::Comment, 10 * kMs, {}, {}, " between"}, {EntryKind::Event, 20 * kMs, "click", "1", "b"},
        {EntryKind::Event, 50 * kMs, "message", "1", "c"},
    };
    QCOMPARE(shown(*timeline), expected);
    QCOMPARE(timeline->durationNs(), 60 * kMs);
    QCOMPARE(timeline->count(EntryKind::Event), 3);
    QCOMPARE(timeline->count(EntryKind::Comment), 2);
    QVERIFY(timeline->damage().isEmpty());
}

void TestRecordingTimeline::webSocketMessagesAreEntries()
{
    QTemporaryDir dir;
    const QString path = dir.filePath(QStringLiteral("ws.csrec"));
    RecordingWriter writer;
    QVERIFY(writer.open(path, {{QStringLiteral("transport"), QStringLiteral("websocket")}}));
    QVERIFY(writer.add(Kind::Attempt, 0, {}));
    QVERIFY(writer.add(Kind::TextMessage, 5 * kMs, QByteArrayView("{\"link\":\"/a\"}\nsecond line")));
    QVERIFY(writer.add(Kind::BinaryMessage, 6 * kMs, QByteArrayView("\0\1\2", 3)));
    QVERIFY(writer.close());
    const Result<RecordingTimeline> timeline = RecordingTimeline::load(path);
    QVERIFY(timeline);
    QCOMPARE(timeline->transport(), QStringLiteral("websocket"));
    const QList<Shown> expected{
        {EntryKind::Event, 5 * kMs, "message", {}, "{\"link\":\"/a\"}\nsecond line"},
        {EntryKind::BinaryMessage, 6 * kMs, {}, {}, QByteArray("\0\1\2", 3)},
    };
    QCOMPARE(shown(*timeline), expected);
}

void TestRecordingTimeline::resumingFindsTheEventAfterAnId()
{
    QTemporaryDir dir;
    const QString path = dir.filePath(QStringLiteral("ids.csrec"));
    RecordingWriter writer;
    QVERIFY(writer.open(path, {}));
    QVERIFY(writer.add(Kind::Data, 1,
                       QByteArrayView("id: 1\ndata: a\n\n: c\n\ndata: no id of its own\n\nid: 2\ndata: b\n\n")));
    QVERIFY(writer.close());
    const Result<RecordingTimeline> timeline = RecordingTimeline::load(path);
    QVERIFY(timeline);
    QCOMPARE(timeline->entries().size(), 4u);
    QCOMPARE(timeline->indexAfterId("1"), std::optional<qsizetype>(1));   // the comment comes next
    QCOMPARE(timeline->indexAfterId("2"), std::optional<qsizetype>(4));   // the end
    QCOMPARE(timeline->indexAfterId("3"), std::nullopt);
    QCOMPARE(timeline->indexAfterId(""), std::nullopt);
}

void TestRecordingTimeline::damageKeepsWhatCameBefore()
{
    QTemporaryDir dir;
    const QString path = dir.filePath(QStringLiteral("cut.csrec"));
    RecordingWriter writer;
    QVERIFY(writer.open(path, {}));
    QVERIFY(writer.add(Kind::Data, 1, QByteArrayView("id: 1\ndata: kept\n\n")));
    QVERIFY(writer.flush());
    QVERIFY(writer.add(Kind::Data, 2, QByteArrayView("id: 2\ndata: lost\n\n")));
    QVERIFY(writer.close());
    QFile file(path);
    QVERIFY(file.open(QIODevice::ReadWrite));
    QVERIFY(file.resize(file.size() - 3));
    file.close();
    const Result<RecordingTimeline> timeline = RecordingTimeline::load(path);
    QVERIFY(timeline);
    QCOMPARE(timeline->entries().size(), 1u);
    QCOMPARE(timeline->data(timeline->entries().front()), QByteArrayView("kept"));
    QVERIFY2(timeline->damage().contains(QStringLiteral("byte")), qPrintable(timeline->damage()));

    const Result<RecordingTimeline> foreign = RecordingTimeline::load(dir.filePath(QStringLiteral("missing.csrec")));
    QVERIFY(!foreign);
    QVERIFY2(foreign.error().contains(QStringLiteral("missing.csrec")), qPrintable(foreign.error()));
}

void TestRecordingTimeline::aRecordingTooLargeToHoldIsRefused()
{
    QTemporaryDir dir;
    const QString path = dir.filePath(QStringLiteral("big.csrec"));
    RecordingWriter writer;
    QVERIFY(writer.open(path, {}));
    const QByteArray event = "data: " + QByteArray(1000, 'x') + "\n\n";
    for (int i = 0; i < 100; ++i)
        QVERIFY(writer.add(Kind::Data, quint64(i), event));
    QVERIFY(writer.close());
    QVERIFY(RecordingTimeline::load(path, 110'000));   // 100 kB of data, one type and 100 entries fit
    const Result<RecordingTimeline> refused = RecordingTimeline::load(path, 50'000);
    QVERIFY(!refused);
    QVERIFY2(refused.error().contains(path) && refused.error().contains(QStringLiteral("48.8 KiB")),
             qPrintable(refused.error()));

    // Events of no data still cost what it takes to keep each: 100,000 of them from 600 kB.
    const QString empty = dir.filePath(QStringLiteral("empty.csrec"));
    QVERIFY(writer.open(empty, {}));
    QByteArray many;
    for (int i = 0; i < 100'000; ++i)
        many += "data\n\n";
    QVERIFY(writer.add(Kind::Data, 0, many));
    QVERIFY(writer.close());
    const Result<RecordingTimeline> tooMany = RecordingTimeline::load(empty, 1024 * 1024);
    QVERIFY2(!tooMany, "100,000 entries fit in 1 MiB");
}

QTEST_APPLESS_MAIN(TestRecordingTimeline)
#include "tst_recordingtimeline.moc"
