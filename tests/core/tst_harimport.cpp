// SPDX-License-Identifier: MIT
// HAR import against HAR files that headless Chromium saved from the test publisher (DevTools' own
// export and Playwright's; tests/core/data/har/README.md says how): what the browser received
// replays as it was, with the times the HAR gives, and what is not a stream is refused clearly.
#include "core/record/harimport.h"
#include "core/record/recordingreader.h"
#include "core/record/replaysource.h"
#include "core/sse/sseparser.h"
#include "support/eventcollector.h"
#include "support/replayedevents.h"

#include <QDateTime>
#include <QFile>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QSignalSpy>
#include <QTemporaryDir>
#include <QTest>

#include <cmath>

using namespace Clickscope;
using Clickscope::Testing::EventCollector;
using Clickscope::Testing::replayedEvents;

namespace {

constexpr int kWaitMs = 5000;

QString fixture(const char *name) { return QStringLiteral(CLICKSCOPE_HAR_DIR "/") + QLatin1String(name); }

QJsonObject harOf(const QString &path)
{
    QFile file(path);
    return file.open(QIODevice::ReadOnly) ? QJsonDocument::fromJson(file.readAll()).object() : QJsonObject();
}

QJsonArray entriesOf(const QJsonObject &har) { return har.value("log").toObject().value("entries").toArray(); }

QJsonObject harEntry(const QString &path, qsizetype entry) { return entriesOf(harOf(path)).at(entry - 1).toObject(); }

// `base` with `entries` in place of its own, written to `path`.
bool writeHar(const QString &path, QJsonObject base, const QJsonArray &entries)
{
    QJsonObject log = base.value("log").toObject();
    log.insert("entries", entries);
    base.insert("log", log);
    QFile out(path);
    return out.open(QIODevice::WriteOnly) && out.write(QJsonDocument(base).toJson()) > 0;
}

// Times of the recording's message or data records, in ms.
QList<double> recordTimesMs(const QString &path)
{
    QList<double> times;
    RecordingReader reader;
    if (!reader.open(path))
        return times;
    for (int i = 0; i < 100'000; ++i) {
        auto record = reader.next();
        if (!record || !*record)
            break;
        const Recording::Kind kind = (*record)->kind;
        if (kind == Recording::Kind::TextMessage || kind == Recording::Kind::BinaryMessage
            || kind == Recording::Kind::Data)
            times.append(double((*record)->timeNs) / 1e6);
    }
    return times;
}

double startedMs(const QJsonObject &entry)
{
    return double(
        QDateTime::fromString(entry.value("startedDateTime").toString(), Qt::ISODateWithMs).toMSecsSinceEpoch());
}

}   // namespace

class TestHarImport : public QObject
{
    Q_OBJECT
private slots:
    void webSocketMessagesReplayWithTheirTimes_data();
    void webSocketMessagesReplayWithTheirTimes();
    void anEventStreamBodyReplaysEvenlySpaced_data();
    void anEventStreamBodyReplaysEvenlySpaced();
    void eventSourceMessagesKeepTheirTypesIdsAndTimes();
    void whatIsNotAStreamIsRefused_data();
    void whatIsNotAStreamIsRefused();
    void severalStreamsAreChosenBetween();
    void anImpossibleTimeIsRefused();
};

void TestHarImport::webSocketMessagesReplayWithTheirTimes_data()
{
    QTest::addColumn<QString>("har");
    QTest::addColumn<int>("entry");
    // DevTools writes message times in seconds, Playwright in milliseconds.
    QTest::newRow("Chromium DevTools") << fixture("websocket.har") << 3;
    QTest::newRow("Playwright") << fixture("websocket-playwright.har") << 2;
}

void TestHarImport::webSocketMessagesReplayWithTheirTimes()
{
    QFETCH(QString, har);
    QFETCH(int, entry);
    QTemporaryDir dir;
    const QString path = dir.filePath(QStringLiteral("ws.csrec"));
    const Result<HarImportSummary> imported = HarImport::toRecording(har, path);
    QVERIFY2(imported, imported ? "" : qPrintable(imported.error()));
    QCOMPARE(imported->entry, entry);
    QCOMPARE(imported->transport, QStringLiteral("websocket"));
    QVERIFY(!imported->evenlySpaced);

    const QJsonObject source = harEntry(har, entry);
    QStringList received;
    QList<double> expectedMs;
    qsizetype sent = 0;
    for (const QJsonValue &v : source.value("_webSocketMessages").toArray()) {
        const QJsonObject m = v.toObject();
        if (m.value("type").toString() != u"receive") {
            ++sent;
            continue;
        }
        received << m.value("data").toString();
        const double time = m.value("time").toDouble();
        expectedMs << (time > 1e11 ? time : time * 1000.0) - startedMs(source);
    }
    QCOMPARE(received.size(), 8);
    QVERIFY(sent > 0);
    QVERIFY2(imported->notes.join(' ').contains(QStringLiteral("%1 messages the browser sent").arg(sent)),
             qPrintable(imported->notes.join(' ')));
    const QList<SseEvent> events = replayedEvents(path);
    QStringList data;
    for (const SseEvent &e : events)
        data << e.dataString();
    QCOMPARE(data, received);
    const QList<double> times = recordTimesMs(path);
    QCOMPARE(times.size(), expectedMs.size());
    for (qsizetype i = 0; i < times.size(); ++i)
        QVERIFY2(
            std::abs(times[i] - std::max(0.0, expectedMs[i])) < 0.01,
            qPrintable(QStringLiteral("message %1 at %2 ms, the HAR says %3").arg(i).arg(times[i]).arg(expectedMs[i])));
    RecordingReader reader;
    QVERIFY(reader.open(path));
    QCOMPARE(reader.header().value("importedFrom").toObject().value("entry").toInt(), entry);
    QCOMPARE(reader.header().value("transport").toString(), QStringLiteral("websocket"));
}

void TestHarImport::anEventStreamBodyReplaysEvenlySpaced_data()
{
    QTest::addColumn<QString>("har");
    QTest::newRow("Chromium DevTools") << fixture("sse.har");
    QTest::newRow("Playwright") << fixture("sse-playwright.har");
}

void TestHarImport::anEventStreamBodyReplaysEvenlySpaced()
{
    QFETCH(QString, har);
    QTemporaryDir dir;
    const QString path = dir.filePath(QStringLiteral("sse.csrec"));
    const Result<HarImportSummary> imported = HarImport::toRecording(har, path);
    QVERIFY2(imported, imported ? "" : qPrintable(imported.error()));
    QCOMPARE(imported->transport, QStringLiteral("sse"));
    QVERIFY(imported->evenlySpaced);
    QVERIFY2(imported->notes.join(' ').contains(QStringLiteral("spread evenly")),
             qPrintable(imported->notes.join(' ')));

    // The body, parsed in one go, is what the replay delivers.
    const QJsonObject source = harEntry(har, imported->entry);
    SseParser parser;
    QList<SseEvent> expected;
    parser.feed(source.value("response").toObject().value("content").toObject().value("text").toString().toUtf8(),
                expected);
    QVERIFY(expected.size() >= 2);
    QCOMPARE(expected.last().data(), QByteArrayView("[DONE]"));
    QCOMPARE(replayedEvents(path), expected);
    const QList<double> times = recordTimesMs(path);
    QCOMPARE(times.size(), expected.size());
    QVERIFY(times.first() < times.last());
    for (qsizetype i = 1; i < times.size(); ++i)   // evenly: equal steps
        QVERIFY(std::abs((times[i] - times[i - 1]) - (times[1] - times[0])) < 0.01);
}

void TestHarImport::eventSourceMessagesKeepTheirTypesIdsAndTimes()
{
    QTemporaryDir dir;
    const QString path = dir.filePath(QStringLiteral("es.csrec"));
    const QString har = fixture("eventsource.har");
    const Result<HarImportSummary> imported = HarImport::toRecording(har, path);
    QVERIFY2(imported, imported ? "" : qPrintable(imported.error()));
    QVERIFY(!imported->evenlySpaced);
    const QJsonObject source = harEntry(har, imported->entry);
    QList<SseEvent> expected;
    QList<double> expectedMs;
    for (const QJsonValue &v : source.value("_eventSourceMessages").toArray()) {
        const QJsonObject m = v.toObject();
        expected.append(SseEvent(m.value("eventName").toString().toUtf8(), m.value("eventId").toString().toUtf8(),
                                 m.value("data").toString().toUtf8()));
        expectedMs << m.value("time").toDouble() * 1000.0 - startedMs(source);
    }
    QCOMPARE(expected.size(), 5);
    QCOMPARE(replayedEvents(path), expected);
    const QList<double> times = recordTimesMs(path);
    QCOMPARE(times.size(), expectedMs.size());
    for (qsizetype i = 0; i < times.size(); ++i)
        QVERIFY(std::abs(times[i] - std::max(0.0, expectedMs[i])) < 0.01);
}

void TestHarImport::whatIsNotAStreamIsRefused_data()
{
    QTest::addColumn<QString>("har");
    QTest::addColumn<int>("entry");
    QTest::addColumn<QString>("says");
    QTest::newRow("no stream") << fixture("other.har") << 0 << QStringLiteral("holds no stream to import");
    QTest::newRow("no stream, what it holds") << fixture("other.har") << 0 << QStringLiteral("(application/json)");
    QTest::newRow("sanitized") << fixture("eventsource-sanitized.har") << 0 << QStringLiteral("sanitized");
    QTest::newRow("an entry that is no stream") << fixture("websocket.har") << 1 << QStringLiteral("is not a stream");
    QTest::newRow("no such entry") << fixture("websocket.har") << 99 << QStringLiteral("has 3 entries, not 99");
    QTest::newRow("not JSON") << fixture("README.md") << 0 << QStringLiteral("is not a HAR file");
    QTest::newRow("missing") << fixture("missing.har") << 0 << QStringLiteral("cannot read");
    // A device never ends: reading it whole would fill memory.
    QTest::newRow("endless device") << QStringLiteral("/dev/zero") << 0 << QStringLiteral("is not a regular file");
}

void TestHarImport::whatIsNotAStreamIsRefused()
{
    QFETCH(QString, har);
    QFETCH(int, entry);
    QFETCH(QString, says);
    QTemporaryDir dir;
    const QString path = dir.filePath(QStringLiteral("x.csrec"));
    const Result<HarImportSummary> imported = HarImport::toRecording(har, path, entry);
    QVERIFY(!imported);
    QVERIFY2(imported.error().contains(says), qPrintable(imported.error()));
    QVERIFY(!QFile::exists(path));   // nothing half-made is left
}

void TestHarImport::severalStreamsAreChosenBetween()
{
    // A HAR of two streams: the WebSocket and the event stream of the fixtures.
    const QJsonObject har = harOf(fixture("websocket.har"));
    QJsonArray entries = entriesOf(har);
    entries.append(harEntry(fixture("sse.har"), 3));
    QTemporaryDir dir;
    const QString both = dir.filePath(QStringLiteral("both.har"));
    QVERIFY(writeHar(both, har, entries));

    const QString path = dir.filePath(QStringLiteral("chosen.csrec"));
    const Result<HarImportSummary> ambiguous = HarImport::toRecording(both, path);
    QVERIFY(!ambiguous);
    QVERIFY2(ambiguous.error().contains(QStringLiteral("holds 2 streams: entry 3 (ws://"))
                 && ambiguous.error().contains(QStringLiteral("entry 4 (http://")),
             qPrintable(ambiguous.error()));
    const Result<HarImportSummary> chosen = HarImport::toRecording(both, path, 4);
    QVERIFY2(chosen, chosen ? "" : qPrintable(chosen.error()));
    QCOMPARE(chosen->transport, QStringLiteral("sse"));
}

void TestHarImport::anImpossibleTimeIsRefused()
{
    const QJsonObject har = harOf(fixture("websocket.har"));
    QJsonArray entries = entriesOf(har);
    QJsonObject ws = entries.at(2).toObject();
    QJsonArray messages = ws.value("_webSocketMessages").toArray();
    QJsonObject first = messages.at(0).toObject();
    first.insert("time", 1e300);
    messages.replace(0, first);
    ws.insert("_webSocketMessages", messages);
    entries.replace(2, ws);
    QTemporaryDir dir;
    const QString broken = dir.filePath(QStringLiteral("broken.har"));
    QVERIFY(writeHar(broken, har, entries));
    const Result<HarImportSummary> refused = HarImport::toRecording(broken, dir.filePath(QStringLiteral("x.csrec")));
    QVERIFY(!refused);
    QVERIFY2(refused.error().contains(QStringLiteral("not one of a session")), qPrintable(refused.error()));
}

QTEST_GUILESS_MAIN(TestHarImport)
#include "tst_harimport.moc"
