// SPDX-License-Identifier: MIT
// RedisSource against a real redis-server (started per test on a free loopback port), and against
// hostile servers that only pretend to be one.
#include "core/redis/redissource.h"
#include "core/source/sourcefactory.h"
#include "support/eventcollector.h"
#include "support/faultproxy.h"
#include "support/ports.h"
#include "support/redisserver.h"

#include <QHostAddress>
#include <QJsonDocument>
#include <QJsonObject>
#include <QSignalSpy>
#include <QTcpServer>
#include <QTcpSocket>
#include <QTest>

#include <memory>

using namespace Clickscope;
using namespace Clickscope::Testing;

namespace {

constexpr int kWaitMs = 20'000;

SourceConfig configFor(const QUrl &url)
{
    SourceConfig config;
    config.url = url;
    config.defaultRetryMs = 50;   // reconnections in the tests come quickly
    return config;
}

QList<QByteArray> publishes(const QByteArray &channel, int from, int to)
{
    QList<QByteArray> commands;
    for (int i = from; i <= to; ++i)
        commands << respCommand(
            {"PUBLISH", channel, QByteArray(R"({"link":"/a","id":)") + QByteArray::number(i) + '}'});
    return commands;
}

QList<QByteArray> appends(const QByteArray &key, int from, int to)
{
    QList<QByteArray> commands;
    for (int i = from; i <= to; ++i)
        commands << respCommand(
            {"XADD", key, "*", "data", QByteArray(R"({"link":"/s","id":)") + QByteArray::number(i) + '}'});
    return commands;
}

// The "id" of each event's JSON data, in order.
QList<int> clickIds(const EventCollector &collected)
{
    QList<int> ids;
    for (qsizetype i = 0; i < collected.events.size(); ++i)
        ids << collected.json(i).value(QStringLiteral("id")).toInt();
    return ids;
}

QList<int> range(int from, int to)
{
    QList<int> out;
    for (int i = from; i <= to; ++i)
        out << i;
    return out;
}

// A server that speaks just enough Redis to be connected to, then sends `reply` to anything,
// followed by `tail` (repeated `tailRepeats` times, as fast as the client takes it).
class FakeRedis : public QObject
{
public:
    FakeRedis(QByteArray reply, QByteArray tail = {}, int tailRepeats = 0)
        : m_reply(std::move(reply))
        , m_tail(std::move(tail))
        , m_tailRepeats(tailRepeats)
    {
        connect(&m_server, &QTcpServer::newConnection, this, [this] {
            while (QTcpSocket *socket = m_server.nextPendingConnection()) {
                socket->setParent(this);
                connect(socket, &QTcpSocket::readyRead, socket, [this, socket] {
                    socket->readAll();
                    if (socket->property("answered").toBool())
                        return;
                    socket->setProperty("answered", true);
                    socket->write(m_reply);
                    const auto left = std::make_shared<int>(m_tailRepeats);
                    const auto more = [socket, this, left] {
                        while (*left > 0 && socket->bytesToWrite() < 1024 * 1024) {
                            socket->write(m_tail);
                            --*left;
                        }
                    };
                    connect(socket, &QTcpSocket::bytesWritten, socket, more);
                    more();
                });
            }
        });
        m_server.listen(QHostAddress::LocalHost, 0);
    }
    quint16 port() const { return m_server.serverPort(); }

private:
    QTcpServer m_server;
    QByteArray m_reply;
    QByteArray m_tail;
    int m_tailRepeats;
};

}   // namespace

class TestRedisSource : public QObject
{
    Q_OBJECT

private slots:
    void pubsubDeliversEveryMessageInOrder()
    {
        RedisServer redis;
        QVERIFY2(redis.start(), qPrintable(redis.errorString()));
        const std::unique_ptr<StreamSource> source = createSource(configFor(redis.url("pubsub/clicks")));
        QVERIFY(qobject_cast<RedisSource *>(source.get()));
        EventCollector collected(source.get());
        source->open();
        QTRY_COMPARE_WITH_TIMEOUT(source->state(), StreamSource::State::Open, kWaitMs);   // subscribed
        const auto replies = redis.pipeline(publishes("clicks", 1, 2000) + publishes("other", 1, 10));
        QVERIFY(replies);
        QCOMPARE(replies->constFirst().integer, qint64(1));   // one subscriber: us
        QTRY_COMPARE_WITH_TIMEOUT(collected.events.size(), qsizetype(2000), kWaitMs);
        QCOMPARE(clickIds(collected), range(1, 2000));
        QCOMPARE(collected.types().constFirst(), QStringLiteral("message"));
        QVERIFY(collected.events.constFirst().lastEventId().isEmpty());
        QCOMPARE(source->totalEvents(), quint64(2000));
    }

    void patternSubscriptionReadsEveryMatchingChannel()
    {
        RedisServer redis;
        QVERIFY2(redis.start(), qPrintable(redis.errorString()));
        RedisSource source(configFor(redis.url("pubsub/clicks.*")));
        EventCollector collected(&source);
        source.open();
        QTRY_COMPARE_WITH_TIMEOUT(source.state(), StreamSource::State::Open, kWaitMs);
        QVERIFY(
            redis.pipeline(publishes("clicks.eu", 1, 3) + publishes("views.eu", 4, 6) + publishes("clicks.us", 7, 9)));
        QTRY_COMPARE_WITH_TIMEOUT(collected.events.size(), qsizetype(6), kWaitMs);
        QCOMPARE(clickIds(collected), (QList<int>{1, 2, 3, 7, 8, 9}));
    }

    void streamFromTheStartReadsEveryEntryWithItsId()
    {
        RedisServer redis;
        QVERIFY2(redis.start(), qPrintable(redis.errorString()));
        const auto added = redis.pipeline({respCommand({"XADD", "s", "*", "data", R"({"link":"/a"})"}),
                                           respCommand({"XADD", "s", "*", "payload", R"({"link":"/b"})"}),
                                           respCommand({"XADD", "s", "*", "link", "/c", "country", "DE"})});
        QVERIFY(added);
        RedisSource source(configFor(redis.url("stream/s?start=0")));
        EventCollector collected(&source);
        source.open();
        QTRY_COMPARE_WITH_TIMEOUT(collected.events.size(), qsizetype(3), kWaitMs);
        // "data", else the only field, else every field as one JSON object.
        QCOMPARE(collected.data(),
                 (QStringList{R"({"link":"/a"})", R"({"link":"/b"})", R"({"country":"DE","link":"/c"})"}));
        for (int i = 0; i < 3; ++i)
            QCOMPARE(collected.events[i].lastEventId(), QByteArrayView(added->at(i).text));
        QCOMPARE(source.cursor(), added->at(2).text);
    }

    void streamResumesAfterACutWithNothingLostOrTwice()
    {
        RedisServer redis;
        QVERIFY2(redis.start(), qPrintable(redis.errorString()));
        QVERIFY(redis.pipeline(appends("s", -2, 0)));   // before the source: not read (start=$)
        FaultProxy proxy(redis.port());
        QVERIFY(proxy.listen());
        RedisSource source(configFor(proxy.through(redis.url("stream/s"))));
        EventCollector collected(&source);
        source.open();
        QTRY_COMPARE_WITH_TIMEOUT(source.state(), StreamSource::State::Open, kWaitMs);
        // $ is pinned to the stream's last entry before anything is read, so what is added from
        // here on is read, even across a reconnection that comes before the first read.
        QTRY_VERIFY_WITH_TIMEOUT(source.cursor() != "$", kWaitMs);
        QSignalSpy reconnects(&source, &StreamSource::reconnectScheduled);
        proxy.inject(FaultProxy::Fault::Reset);   // before anything was read
        QTRY_COMPARE_WITH_TIMEOUT(reconnects.count(), 1, kWaitMs);
        QVERIFY(redis.pipeline(appends("s", 1, 300)));   // while the source is away
        QTRY_COMPARE_WITH_TIMEOUT(collected.events.size(), qsizetype(300), kWaitMs);

        proxy.inject(FaultProxy::Fault::Reset);
        QTRY_COMPARE_WITH_TIMEOUT(reconnects.count(), 2, kWaitMs);
        QVERIFY(redis.pipeline(appends("s", 301, 600)));
        QTRY_COMPARE_WITH_TIMEOUT(collected.events.size(), qsizetype(600), kWaitMs);
        QCOMPARE(clickIds(collected), range(1, 600));
        QCOMPARE(proxy.connectionsAccepted(), 3);
    }

    void largeEntriesAreReadFewerAtATime()
    {
        RedisServer redis;
        QVERIFY2(redis.start(), qPrintable(redis.errorString()));
        QList<QByteArray> commands;
        for (int i = 1; i <= 12; ++i) {
            const QJsonObject click{{"link", "/big"}, {"id", i}, {"pad", QString(600 * 1024, u'p')}};
            const QByteArray big = QJsonDocument(click).toJson(QJsonDocument::Compact);
            commands << respCommand({"XADD", "s", "*", "data", big});
        }
        QVERIFY(redis.pipeline(commands));
        SourceConfig config = configFor(redis.url("stream/s?start=0"));
        config.maxRetryMs = 100;
        config.limits.maxEventBytes = 1024 * 1024;   // so a reply holds at most 4 MiB: six of them
        RedisSource source(config);
        EventCollector collected(&source);
        source.open();
        QTRY_COMPARE_WITH_TIMEOUT(collected.events.size(), qsizetype(12), kWaitMs);
        QCOMPARE(clickIds(collected), range(1, 12));
        QVERIFY2(source.readCount() <= 6, qPrintable(QString::number(source.readCount())));
        QVERIFY(source.reconnectCount() >= 1);
    }

    void anEntryTooLargeOnItsOwnIsAnError()
    {
        RedisServer redis;
        QVERIFY2(redis.start(), qPrintable(redis.errorString()));
        const auto added = redis.pipeline(
            appends("s", 1, 1)
            + QList<QByteArray>{respCommand({"XADD", "s", "*", "data", QByteArray(5 * 1024 * 1024, 'x')})});
        QVERIFY(added);
        SourceConfig config = configFor(redis.url("stream/s?start=0"));
        config.maxRetryMs = 100;
        config.limits.maxEventBytes = 64 * 1024;   // a reply holds at most 4 MiB
        RedisSource source(config);
        EventCollector collected(&source);
        QSignalSpy failed(&source, &StreamSource::failed);
        source.open();
        QTRY_COMPARE_WITH_TIMEOUT(failed.count(), 1, kWaitMs);
        const QString message = failed.at(0).at(1).toString();
        QVERIFY2(
            message.contains(QStringLiteral("entry after %1 is too large").arg(QString::fromUtf8(added->at(0).text))),
            qPrintable(message));
        QCOMPARE(clickIds(collected), QList<int>{1});   // what came before it was delivered
        QCOMPARE(source.readCount(), 1);
    }

    void lastEventIdIsWhereTheFirstReadStarts()
    {
        RedisServer redis;
        QVERIFY2(redis.start(), qPrintable(redis.errorString()));
        const auto added = redis.pipeline(appends("s", 1, 5));
        QVERIFY(added);
        SourceConfig config = configFor(redis.url("stream/s"));
        config.lastEventId = added->at(1).text;   // read up to the second entry already
        RedisSource source(config);
        EventCollector collected(&source);
        source.open();
        QTRY_COMPARE_WITH_TIMEOUT(collected.events.size(), qsizetype(3), kWaitMs);
        QCOMPARE(clickIds(collected), (QList<int>{3, 4, 5}));
    }

    void passwordsAreSentAndAWrongOneIsFatal()
    {
        RedisServer redis({QStringLiteral("--requirepass"), QStringLiteral("s3cret")});
        QVERIFY2(redis.start(), qPrintable(redis.errorString()));
        {
            RedisSource source(configFor(redis.url("pubsub/c", QStringLiteral("s3cret"))));
            EventCollector collected(&source);
            source.open();
            QTRY_COMPARE_WITH_TIMEOUT(source.state(), StreamSource::State::Open, kWaitMs);
            QVERIFY(redis.pipeline(publishes("c", 1, 2), "s3cret"));
            QTRY_COMPARE_WITH_TIMEOUT(collected.events.size(), qsizetype(2), kWaitMs);
        }
        for (const QString &userInfo : {QStringLiteral("wrong"), QString()}) {
            RedisSource source(configFor(redis.url("pubsub/c", userInfo)));
            QSignalSpy failed(&source, &StreamSource::failed);
            source.open();
            QTRY_COMPARE_WITH_TIMEOUT(failed.count(), 1, kWaitMs);
            const QString message = failed.at(0).at(1).toString();
            QVERIFY2(message.contains(u"WRONGPASS") || message.contains(u"NOAUTH"), qPrintable(message));
            QCOMPARE(source.state(), StreamSource::State::Closed);
            QCOMPARE(source.reconnectCount(), quint64(0));   // asking again would not help
        }
    }

    void aKeyThatIsNotAStreamIsFatal()
    {
        RedisServer redis;
        QVERIFY2(redis.start(), qPrintable(redis.errorString()));
        QVERIFY(redis.command({"SET", "k", "v"}));
        RedisSource source(configFor(redis.url("stream/k?start=0")));
        QSignalSpy failed(&source, &StreamSource::failed);
        source.open();
        QTRY_COMPARE_WITH_TIMEOUT(failed.count(), 1, kWaitMs);
        QVERIFY2(failed.at(0).at(1).toString().contains(u"WRONGTYPE"), qPrintable(failed.at(0).at(1).toString()));
    }

    void aBadUrlFailsAtOnce()
    {
        RedisSource source(configFor(QUrl(QStringLiteral("redis://127.0.0.1/queue/x"))));
        QSignalSpy failed(&source, &StreamSource::failed);
        source.open();
        QTRY_COMPARE(failed.count(), 1);
        QCOMPARE(failed.at(0).at(0).value<StreamSource::Error>(), StreamSource::Error::InvalidUrl);
        QVERIFY2(failed.at(0).at(1).toString().contains(u"/pubsub/CHANNEL or /stream/KEY"),
                 qPrintable(failed.at(0).at(1).toString()));
    }

    void anUnreachableServerIsReported()
    {
        SourceConfig config = configFor(QUrl(QStringLiteral("redis://127.0.0.1:%1/pubsub/c").arg(unusedPort())));
        config.reconnect = false;
        RedisSource source(config);
        QSignalSpy failed(&source, &StreamSource::failed);
        source.open();
        QTRY_COMPARE_WITH_TIMEOUT(failed.count(), 1, kWaitMs);
        QCOMPARE(failed.at(0).at(0).value<StreamSource::Error>(), StreamSource::Error::Network);
        QVERIFY2(failed.at(0).at(1).toString().contains(u"refused", Qt::CaseInsensitive),
                 qPrintable(failed.at(0).at(1).toString()));
    }

    void aServerThatIsNotRedisIsReported()
    {
        FakeRedis http("HTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\n");
        SourceConfig config = configFor(QUrl(QStringLiteral("redis://127.0.0.1:%1/pubsub/c").arg(http.port())));
        config.reconnect = false;
        RedisSource source(config);
        QSignalSpy failed(&source, &StreamSource::failed);
        source.open();
        QTRY_COMPARE_WITH_TIMEOUT(failed.count(), 1, kWaitMs);
        QVERIFY2(failed.at(0).at(1).toString().contains(u"not the Redis protocol"),
                 qPrintable(failed.at(0).at(1).toString()));
    }

    void aHostileServerCannotMakeUsBufferWithoutBound()
    {
        // A message header announcing a gigabyte, then bytes that never complete it.
        FakeRedis flood("*3\r\n$9\r\nsubscribe\r\n$1\r\nc\r\n:1\r\n*3\r\n$7\r\nmessage\r\n$1\r\nc\r\n$1000000000\r\n",
                        QByteArray(64 * 1024, 'x'), 1000);
        SourceConfig config = configFor(QUrl(QStringLiteral("redis://127.0.0.1:%1/pubsub/c").arg(flood.port())));
        config.reconnect = false;
        config.limits.maxEventBytes = 64 * 1024;
        RedisSource source(config);
        QSignalSpy failed(&source, &StreamSource::failed);
        source.open();
        QTRY_COMPARE_WITH_TIMEOUT(failed.count(), 1, kWaitMs);
        const QString message = failed.at(0).at(1).toString();
        // The reply's cap is 4 MiB with these limits (twice the event cap, at least 4 MiB).
        QVERIFY2(message.contains(u"a reply of more than 4194304 bytes"), qPrintable(message));
        // An array announced with two billion elements is refused before it is allocated.
        FakeRedis huge("*2000000000\r\n");
        SourceConfig hugeConfig = configFor(QUrl(QStringLiteral("redis://127.0.0.1:%1/pubsub/c").arg(huge.port())));
        hugeConfig.reconnect = false;
        RedisSource hugeSource(hugeConfig);
        QSignalSpy hugeFailed(&hugeSource, &StreamSource::failed);
        hugeSource.open();
        QTRY_COMPARE_WITH_TIMEOUT(hugeFailed.count(), 1, kWaitMs);
        QVERIFY2(hugeFailed.at(0).at(1).toString().contains(u"an array of 2000000000 elements"),
                 qPrintable(hugeFailed.at(0).at(1).toString()));
    }

    void anOversizedMessageIsDroppedAndTheNextOnesArrive()
    {
        RedisServer redis;
        QVERIFY2(redis.start(), qPrintable(redis.errorString()));
        SourceConfig config = configFor(redis.url("pubsub/c"));
        config.limits.maxEventBytes = 1000;
        RedisSource source(config);
        EventCollector collected(&source);
        QSignalSpy discarded(&source, &StreamSource::eventsDiscarded);
        source.open();
        QTRY_COMPARE_WITH_TIMEOUT(source.state(), StreamSource::State::Open, kWaitMs);
        QVERIFY(redis.pipeline(publishes("c", 1, 1)
                               + QList<QByteArray>{respCommand({"PUBLISH", "c", QByteArray(5000, 'x')})}
                               + publishes("c", 2, 2)));
        QTRY_COMPARE_WITH_TIMEOUT(collected.events.size(), qsizetype(2), kWaitMs);
        QCOMPARE(clickIds(collected), (QList<int>{1, 2}));
        QCOMPARE(discarded.count(), 1);
    }

    void theEndMarkerStopsCleanly()
    {
        RedisServer redis;
        QVERIFY2(redis.start(), qPrintable(redis.errorString()));
        SourceConfig config = configFor(redis.url("pubsub/c"));
        config.doneMarker = QByteArray("[DONE]");
        RedisSource source(config);
        EventCollector collected(&source);
        QSignalSpy ended(&source, &StreamSource::ended);
        source.open();
        QTRY_COMPARE_WITH_TIMEOUT(source.state(), StreamSource::State::Open, kWaitMs);
        QVERIFY(redis.pipeline(publishes("c", 1, 2) + QList<QByteArray>{respCommand({"PUBLISH", "c", "[DONE]"})}
                               + publishes("c", 3, 3)));
        QTRY_COMPARE_WITH_TIMEOUT(ended.count(), 1, kWaitMs);
        QCOMPARE(clickIds(collected), (QList<int>{1, 2}));
        QCOMPARE(source.state(), StreamSource::State::Closed);
    }
};

QTEST_GUILESS_MAIN(TestRedisSource)
#include "tst_redissource.moc"
