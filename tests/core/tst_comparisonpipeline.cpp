// SPDX-License-Identifier: MIT
// ComparisonPipeline: two real streams of the test publisher read and compared in the worker
// thread, snapshots arriving in this one.
#include "core/compare/comparisonpipeline.h"
#include "server/testpublisher.h"

#include <QJsonArray>
#include <QSignalSpy>
#include <QTest>

using namespace Clickscope;

namespace {

constexpr int kWaitMs = 15'000;

SourceConfig configFor(const TestPublisher &publisher, const QString &path)
{
    SourceConfig config;
    config.url = publisher.baseUrl().resolved(QUrl(path));
    if (path.startsWith(u"/ws"))
        config.url.setScheme(QStringLiteral("ws"));
    return config;
}

// The newest snapshot the pipeline sent.
class SnapshotCatcher
{
public:
    explicit SnapshotCatcher(ComparisonPipeline &pipeline)
    {
        QObject::connect(&pipeline, &ComparisonPipeline::snapshotReady, &m_context,
                         [this](const ComparisonSnapshotPtr &snapshot) { m_latest = snapshot; });
    }
    ComparisonSnapshotPtr latest() const { return m_latest; }
    qint64 matched() const
    {
        return m_latest ? m_latest->report.value("matching").toObject().value("matched").toInteger() : -1;
    }

private:
    QObject m_context;
    ComparisonSnapshotPtr m_latest;
};

}   // namespace

class TestComparisonPipeline : public QObject
{
    Q_OBJECT

private slots:
    // Each test starts with the publisher's /events and /ws compared, both subscribed.
    void init();
    void cleanup();

    void sseAndWebSocketAgreeInSnapshots();
    void aNewComparisonStartsFromZero();

private:
    std::unique_ptr<TestPublisher> m_publisher;
    std::unique_ptr<ComparisonPipeline> m_pipeline;
    std::unique_ptr<SnapshotCatcher> m_catcher;
};

void TestComparisonPipeline::init()
{
    m_publisher = std::make_unique<TestPublisher>(TestPublisher::Settings{});
    QVERIFY(m_publisher->listen());
    m_pipeline = std::make_unique<ComparisonPipeline>();
    m_catcher = std::make_unique<SnapshotCatcher>(*m_pipeline);
    m_pipeline->start(configFor(*m_publisher, "/events"), configFor(*m_publisher, "/ws"));
    QTRY_COMPARE_WITH_TIMEOUT(m_publisher->subscriberCount(), 2, kWaitMs);
}

void TestComparisonPipeline::cleanup()
{
    m_catcher.reset();
    m_pipeline.reset();
    m_publisher.reset();
}

void TestComparisonPipeline::sseAndWebSocketAgreeInSnapshots()
{
    TestPublisher &publisher = *m_publisher;
    ComparisonPipeline &pipeline = *m_pipeline;
    SnapshotCatcher &catcher = *m_catcher;
    QList<QJsonObject> clicks;
    for (int i = 0; i < 200; ++i)
        clicks.append({{"link", i % 2 ? "/odd" : "/even"}});
    publisher.hub().publish(clicks);
    QTRY_COMPARE_WITH_TIMEOUT(catcher.matched(), 200, kWaitMs);

    // The series end at the last whole second: the clicks show once their second is over.
    const auto charted = [&catcher](int side) {
        double sum = 0;
        for (double v : catcher.latest()->clicksPerSecond[std::size_t(side)])
            sum += v;
        return sum;
    };
    QTRY_VERIFY_WITH_TIMEOUT(charted(0) == 200.0 && charted(1) == 200.0, kWaitMs);
    const ComparisonSnapshot &s = *catcher.latest();
    QCOMPARE(s.states[0], StreamSource::State::Open);
    QCOMPARE(s.states[1], StreamSource::State::Open);
    QCOMPARE(s.urls[1].scheme(), QStringLiteral("ws"));
    for (const QList<double> &series : s.clicksPerSecond)
        QCOMPARE(series.size(), ComparisonPipeline::kSeriesSeconds);
    const QJsonObject matching = s.report.value("matching").toObject();
    for (const char *side : {"a", "b"})
        QCOMPARE(matching.value(side).toObject().value("missingInOther").toInt(-1), 0);

    // Stopped: both subscribers go.
    pipeline.stop();
    QTRY_COMPARE_WITH_TIMEOUT(publisher.subscriberCount(), 0, kWaitMs);
}

void TestComparisonPipeline::aNewComparisonStartsFromZero()
{
    TestPublisher &publisher = *m_publisher;
    ComparisonPipeline &pipeline = *m_pipeline;
    SnapshotCatcher &catcher = *m_catcher;
    publisher.hub().publish({QJsonObject{{"link", "/a"}}, QJsonObject{{"link", "/a"}}});
    QTRY_COMPARE_WITH_TIMEOUT(catcher.matched(), 2, kWaitMs);

    // Another pair: the old streams go, and nothing of them is counted in the new comparison.
    pipeline.start(configFor(publisher, "/events/x"), configFor(publisher, "/ws/x"));
    QTRY_VERIFY_WITH_TIMEOUT(catcher.latest()->urls[0].path() == u"/events/x", kWaitMs);
    QCOMPARE(catcher.matched(), 0);
    // The new pair's subscribers, not the old pair's still being let go.
    QTRY_COMPARE_WITH_TIMEOUT(publisher.stats().value("subscribers").toObject().value("x").toInt(), 2, kWaitMs);
    publisher.hub().publish({QJsonObject{{"link", "/b"}}}, QStringLiteral("x"));
    QTRY_COMPARE_WITH_TIMEOUT(catcher.matched(), 1, kWaitMs);
    QCOMPARE(catcher.latest()->report.value("clicks").toObject().value("a").toInt(), 1);
}

QTEST_GUILESS_MAIN(TestComparisonPipeline)
#include "tst_comparisonpipeline.moc"
