// SPDX-License-Identifier: MIT
#include "server/clickhub.h"
#include "server/trafficgenerator.h"

#include <QElapsedTimer>
#include <QHash>
#include <QJsonDocument>
#include <QRegularExpression>
#include <QSet>
#include <QSignalSpy>
#include <QTest>
#include <QThread>

#include <cmath>
#include <limits>
#include <numbers>
#include <vector>

using Clickscope::ClickHub;
using Clickscope::TrafficGenerator;
using Settings = TrafficGenerator::Settings;

namespace {

constexpr int kWaitMs = 5000;
// Long enough for ~15 ticks, so "nothing arrived" means the timer really is quiet.
constexpr int kQuietMs = 300;

Settings settingsWith(int links, quint32 seed = 1)
{
    Settings settings;
    settings.links = links;
    settings.seed = seed;
    settings.wobble = false;
    return settings;
}

// The four base-62 characters of a code as one number, for checking distinctness with a bitmap;
// -1 for anything that is not a well-formed code.
qint64 codeIndex(const QString &code)
{
    if (code.size() != 5 || code.at(0) != QLatin1Char('/'))
        return -1;
    qint64 value = 0;
    for (qsizetype i = 1; i < code.size(); ++i) {
        const char16_t c = code.at(i).unicode();
        int digit = -1;
        if (c >= u'0' && c <= u'9')
            digit = c - u'0';
        else if (c >= u'a' && c <= u'z')
            digit = 10 + (c - u'a');
        else if (c >= u'A' && c <= u'Z')
            digit = 36 + (c - u'A');
        if (digit < 0)
            return -1;
        value = value * 62 + digit;
    }
    return value;
}

// Sums the clicks of every batch, remembers the largest, and notes when the last one arrived, so
// a rate measured from it is not skewed by how often the test happens to poll.
struct BatchCounter
{
    explicit BatchCounter(TrafficGenerator *generator)
    {
        clock.start();
        QObject::connect(generator, &TrafficGenerator::clicksGenerated, generator,
                         [this](const QList<QJsonObject> &batch) {
                             clicks += batch.size();
                             largest = std::max<qsizetype>(largest, batch.size());
                             ++batches;
                             lastBatchSeconds = double(clock.nsecsElapsed()) / 1e9;
                         });
    }
    QElapsedTimer clock;
    qsizetype clicks = 0;
    qsizetype largest = 0;
    int batches = 0;
    double lastBatchSeconds = 0;
};

}   // namespace

class TestTrafficGenerator : public QObject
{
    Q_OBJECT

private slots:
    void sameSeedSameClicks();
    void differentSeedDifferentClicks();
    void clicksHaveValidFields();
    void mixesArePlausible();
    void linksFollowZipf();
    void oneLinkGivesOneCode();
    void linkCodesAreStablePerSeed();
    void aMillionLinksWork();
    void timedEmissionMatchesRate_data();
    void timedEmissionMatchesRate();
    void rateZeroEmitsNothing();
    void stopStops();
    void stalledLoopIsCappedAndCounted();
    void wobbleVariesAndStaysPositive();
    void badSettingsAreClamped();
    void wobbleCanBeSwitchedOff();
};

void TestTrafficGenerator::sameSeedSameClicks()
{
    TrafficGenerator a(settingsWith(50, 42));
    TrafficGenerator b(settingsWith(50, 42));
    const QList<QJsonObject> first = a.generate(1000);
    QCOMPARE(first.size(), 1000);
    QCOMPARE(b.generate(1000), first);
    // The stream continues identically, too.
    QCOMPARE(a.generate(10), b.generate(10));
}

void TestTrafficGenerator::differentSeedDifferentClicks()
{
    TrafficGenerator a(settingsWith(50, 1));
    TrafficGenerator b(settingsWith(50, 2));
    const QList<QJsonObject> first = a.generate(1000);
    const QList<QJsonObject> second = b.generate(1000);
    QVERIFY(first != second);
    int same = 0;
    for (int i = 0; i < 1000; ++i)
        same += first.at(i) == second.at(i);
    QVERIFY2(same < 100, qPrintable(QStringLiteral("%1 of 1000 clicks identical").arg(same)));
}

void TestTrafficGenerator::clicksHaveValidFields()
{
    const QSet<QString> countries = {"US", "DE", "IN", "GB", "BR", "FR", "JP", "CA", "AU", "NL", "ES", "IT",
                                     "MX", "KR", "PL", "SE", "ID", "TR", "NG", "ZA", "AR", "CH", "SG", "IE"};
    const QSet<QString> devices = {"desktop", "mobile", "tablet"};
    const QSet<QString> browsers = {"Chrome", "Safari", "Firefox", "Edge", "Samsung Internet"};
    const QSet<QString> keys = {"link", "country", "referrer", "device", "browser", "userAgent"};
    const QRegularExpression linkPattern(QStringLiteral("^/[0-9A-Za-z]{4}$"));
    const QRegularExpression referrerPattern(QStringLiteral("^(|https://[a-z0-9.-]+\\.[a-z]+/.*)$"));

    TrafficGenerator generator(settingsWith(50, 7));
    const QList<QJsonObject> clicks = generator.generate(5000);
    for (qsizetype i = 0; i < clicks.size(); ++i) {
        const QJsonObject &click = clicks.at(i);
        const auto field = [&](const char *name) { return click.value(QLatin1String(name)).toString(); };
        const QString where = QStringLiteral("click %1: %2")
                                  .arg(i)
                                  .arg(QString::fromUtf8(QJsonDocument(click).toJson(QJsonDocument::Compact)));
        const QStringList clickKeys = click.keys();
        QVERIFY2(QSet<QString>(clickKeys.cbegin(), clickKeys.cend()) == keys, qPrintable(where));
        QVERIFY2(!click.contains(QLatin1String("ts")) && !click.contains(QLatin1String("id")), qPrintable(where));
        for (const QString &key : keys)
            QVERIFY2(click.value(key).isString(), qPrintable(where));
        QVERIFY2(linkPattern.match(field("link")).hasMatch(), qPrintable(where));
        QVERIFY2(countries.contains(field("country")), qPrintable(where));
        QVERIFY2(referrerPattern.match(field("referrer")).hasMatch(), qPrintable(where));
        QVERIFY2(devices.contains(field("device")), qPrintable(where));
        QVERIFY2(browsers.contains(field("browser")), qPrintable(where));

        // The user agent must agree with device and browser.
        const QString ua = field("userAgent");
        const QString device = field("device");
        const QString browser = field("browser");
        QVERIFY2(ua.startsWith(QLatin1String("Mozilla/5.0 (")), qPrintable(where));
        if (device == QLatin1String("desktop")) {
            QVERIFY2(!ua.contains(QLatin1String("Mobile")) && !ua.contains(QLatin1String("Android"))
                         && !ua.contains(QLatin1String("iPhone")) && !ua.contains(QLatin1String("iPad")),
                     qPrintable(where));
            if (browser == QLatin1String("Safari"))
                QVERIFY2(ua.contains(QLatin1String("Macintosh")), qPrintable(where));
        } else if (device == QLatin1String("mobile")) {
            QVERIFY2(ua.contains(QLatin1String("Mobile")), qPrintable(where));
            QVERIFY2(!ua.contains(QLatin1String("iPad")), qPrintable(where));
        } else {
            QVERIFY2(ua.contains(QLatin1String("iPad"))
                         || (ua.contains(QLatin1String("Android")) && !ua.contains(QLatin1String("Mobile"))),
                     qPrintable(where));
        }
        if (browser == QLatin1String("Safari"))
            QVERIFY2(ua.contains(QLatin1String("Version/")) && !ua.contains(QLatin1String("Chrome"))
                         && !ua.contains(QLatin1String("CriOS")),
                     qPrintable(where));
        else if (browser == QLatin1String("Chrome"))
            QVERIFY2((ua.contains(QLatin1String("Chrome/")) || ua.contains(QLatin1String("CriOS/")))
                         && !ua.contains(QLatin1String("Edg/")) && !ua.contains(QLatin1String("SamsungBrowser")),
                     qPrintable(where));
        else if (browser == QLatin1String("Edge"))
            QVERIFY2(ua.contains(QLatin1String("Edg/")) && ua.contains(QLatin1String("Windows")), qPrintable(where));
        else if (browser == QLatin1String("Firefox"))
            QVERIFY2(ua.contains(QLatin1String("Firefox/")), qPrintable(where));
        else
            QVERIFY2(ua.contains(QLatin1String("SamsungBrowser/")), qPrintable(where));

        // What the publisher's POST /publish path would accept.
        const auto valid = ClickHub::checkClick(click, i);
        QVERIFY2(valid, qPrintable(where + QLatin1String(": ") + valid.error().message));
    }
}

void TestTrafficGenerator::mixesArePlausible()
{
    TrafficGenerator generator(settingsWith(50, 3));
    const QList<QJsonObject> clicks = generator.generate(20'000);
    QHash<QString, int> countries, devices, referrers, browsers;
    for (const QJsonObject &click : clicks) {
        ++countries[click.value(QLatin1String("country")).toString()];
        ++devices[click.value(QLatin1String("device")).toString()];
        ++referrers[click.value(QLatin1String("referrer")).toString()];
        ++browsers[click.value(QLatin1String("browser")).toString()];
    }
    QVERIFY2(countries.size() >= 12, qPrintable(QString::number(countries.size())));
    for (auto it = countries.cbegin(); it != countries.cend(); ++it)
        QVERIFY2(it.value() <= countries.value(QStringLiteral("US")), qPrintable(it.key()));
    QCOMPARE(devices.size(), 3);
    QVERIFY(devices.value(QStringLiteral("desktop")) > devices.value(QStringLiteral("tablet")) * 4);
    QVERIFY(devices.value(QStringLiteral("mobile")) > devices.value(QStringLiteral("tablet")) * 4);
    QVERIFY(referrers.size() >= 8);
    QVERIFY(referrers.value(QString()) > 2000);   // direct traffic is a large share
    QCOMPARE(browsers.size(), 5);
    for (auto it = browsers.cbegin(); it != browsers.cend(); ++it)
        QVERIFY2(it.value() <= browsers.value(QStringLiteral("Chrome")), qPrintable(it.key()));
}

void TestTrafficGenerator::linksFollowZipf()
{
    constexpr int kLinks = 50;
    constexpr int kClicks = 20'000;
    TrafficGenerator generator(settingsWith(kLinks, 11));
    QHash<QString, int> counts;
    for (const QJsonObject &click : generator.generate(kClicks))
        ++counts[click.value(QLatin1String("link")).toString()];

    double harmonic = 0;
    for (int k = 1; k <= kLinks; ++k)
        harmonic += std::pow(double(k), -TrafficGenerator::kZipfExponent);
    const double expectedTop = 1.0 / harmonic;   // ≈ 0.26
    QVERIFY(std::abs(generator.linkShare(0) - expectedTop) < 1e-9);

    const QString top = generator.linkCode(0);
    for (auto it = counts.cbegin(); it != counts.cend(); ++it)
        QVERIFY2(it.value() <= counts.value(top), qPrintable(it.key()));
    // The binomial standard deviation is about 0.003; 0.02 leaves room without hiding a wrong exponent.
    const double topShare = double(counts.value(top)) / kClicks;
    QVERIFY2(std::abs(topShare - expectedTop) < 0.02,
             qPrintable(QStringLiteral("top share %1, expected %2").arg(topShare).arg(expectedTop)));
    const double secondShare = double(counts.value(generator.linkCode(1))) / kClicks;
    QVERIFY2(std::abs(secondShare - expectedTop * std::pow(2.0, -TrafficGenerator::kZipfExponent)) < 0.02,
             qPrintable(QString::number(secondShare)));
    QVERIFY2(counts.size() > 30, qPrintable(QString::number(counts.size())));
    QVERIFY(counts.size() <= kLinks);
}

void TestTrafficGenerator::oneLinkGivesOneCode()
{
    TrafficGenerator generator(settingsWith(1));
    QSet<QString> links;
    for (const QJsonObject &click : generator.generate(1000))
        links.insert(click.value(QLatin1String("link")).toString());
    QCOMPARE(links.size(), 1);
    QCOMPARE(*links.cbegin(), generator.linkCode(0));
    QCOMPARE(generator.linkShare(0), 1.0);
}

void TestTrafficGenerator::linkCodesAreStablePerSeed()
{
    TrafficGenerator a(settingsWith(1000, 5));
    TrafficGenerator b(settingsWith(1000, 5));
    TrafficGenerator other(settingsWith(1000, 6));
    QSet<QString> codes;
    int sameAsOther = 0;
    for (int rank = 0; rank < 1000; ++rank) {
        QCOMPARE(a.linkCode(rank), b.linkCode(rank));
        codes.insert(a.linkCode(rank));
        sameAsOther += a.linkCode(rank) == other.linkCode(rank);
    }
    QCOMPARE(codes.size(), 1000);
    QVERIFY(sameAsOther < 10);
    // Generating does not disturb the codes.
    a.generate(100);
    QCOMPARE(a.linkCode(0), b.linkCode(0));
}

void TestTrafficGenerator::aMillionLinksWork()
{
    constexpr int kLinks = 1'000'000;
    QElapsedTimer clock;
    clock.start();
    TrafficGenerator generator(settingsWith(kLinks, 9));
    const qint64 buildMs = clock.elapsed();
    const QList<QJsonObject> clicks = generator.generate(10'000);
    const qint64 totalMs = clock.elapsed();
    // How long is for the log, not a verdict (speed is the benchmarks' business); a table built in
    // quadratic time would not finish within the test's timeout.
    qInfo("1,000,000 links: table built in %lld ms, 10,000 clicks in %lld ms", buildMs, totalMs - buildMs);
    QCOMPARE(generator.settings().links, kLinks);

    // Every rank has its own well-formed code: a bitmap over the 62^4 code space.
    const QRegularExpression linkPattern(QStringLiteral("^/[0-9A-Za-z]{4}$"));
    std::vector<bool> seen(std::size_t(62) * 62 * 62 * 62);
    for (int rank = 0; rank < kLinks; ++rank) {
        const QString code = generator.linkCode(rank);
        if (rank % 9973 == 0)
            QVERIFY2(linkPattern.match(code).hasMatch(), qPrintable(code));
        const qint64 index = codeIndex(code);
        QVERIFY2(index >= 0 && !seen[std::size_t(index)],
                 qPrintable(QStringLiteral("rank %1: %2").arg(rank).arg(code)));
        seen[std::size_t(index)] = true;
    }
    // The tail is reachable: a million links over 10,000 clicks spread widely.
    QSet<QString> distinct;
    for (const QJsonObject &click : clicks)
        distinct.insert(click.value(QLatin1String("link")).toString());
    QVERIFY2(distinct.size() > 1000, qPrintable(QString::number(distinct.size())));
}

void TestTrafficGenerator::timedEmissionMatchesRate_data()
{
    QTest::addColumn<double>("rate");
    QTest::addColumn<int>("target");
    // 500/s is ~10 clicks a tick; 20/s is 0.4 a tick, so the fractional carry is what emits.
    QTest::newRow("500/s") << 500.0 << 500;
    QTest::newRow("20/s") << 20.0 << 10;
}

void TestTrafficGenerator::timedEmissionMatchesRate()
{
    QFETCH(double, rate);
    QFETCH(int, target);
    TrafficGenerator generator(settingsWith(50));
    generator.setRate(rate);
    QCOMPARE(generator.rate(), rate);

    BatchCounter counter(&generator);
    generator.start();
    QVERIFY(generator.isRunning());
    QTRY_VERIFY_WITH_TIMEOUT(counter.clicks >= target, kWaitMs);
    generator.stop();
    const double elapsedSeconds = counter.lastBatchSeconds;

    const double expected = rate * elapsedSeconds;
    const double ratio = double(counter.clicks) / expected;
    qInfo("%lld clicks in %d batches over %.3f s (expected %.1f, ratio %.2f)", qlonglong(counter.clicks),
          counter.batches, elapsedSeconds, expected, ratio);
    QVERIFY2(ratio > 0.6 && ratio < 1.4, qPrintable(QString::number(ratio)));
    // At most one batch per tick (coarse timers may fire up to 5 % early), and spread over many
    // ticks rather than one burst.
    QVERIFY2(counter.batches <= int(elapsedSeconds * 1000 / (0.9 * TrafficGenerator::kTickMs)) + 2,
             qPrintable(QString::number(counter.batches)));
    QVERIFY2(counter.batches >= std::min(target, 10), qPrintable(QString::number(counter.batches)));
    QVERIFY2(counter.largest < std::max<qsizetype>(2, counter.clicks / 4),
             qPrintable(QString::number(counter.largest)));
    QCOMPARE(generator.skippedClicks(), quint64(0));
}

void TestTrafficGenerator::rateZeroEmitsNothing()
{
    Settings settings = settingsWith(50);
    settings.clicksPerSecond = 500;
    TrafficGenerator generator(settings);
    QSignalSpy spy(&generator, &TrafficGenerator::clicksGenerated);
    generator.start();
    QVERIFY(spy.wait(kWaitMs));

    generator.setRate(0);
    QCOMPARE(generator.rate(), 0.0);
    QVERIFY(generator.isRunning());   // idle, not stopped
    spy.clear();
    QVERIFY(!spy.wait(kQuietMs));

    // And it comes back when the rate does, without a catch-up burst for the idle time.
    generator.setRate(500);
    QVERIFY(spy.wait(kWaitMs));
    QVERIFY2(spy.first().first().value<QList<QJsonObject>>().size() < 100,
             qPrintable(QString::number(spy.first().first().value<QList<QJsonObject>>().size())));
}

void TestTrafficGenerator::stopStops()
{
    Settings settings = settingsWith(50);
    settings.clicksPerSecond = 500;
    TrafficGenerator generator(settings);
    QSignalSpy spy(&generator, &TrafficGenerator::clicksGenerated);
    QVERIFY(!generator.isRunning());
    generator.start();
    QVERIFY(spy.wait(kWaitMs));
    generator.stop();
    QVERIFY(!generator.isRunning());
    QCOMPARE(generator.rate(), 500.0);   // stopping keeps the rate for the next start()
    spy.clear();
    QVERIFY(!spy.wait(kQuietMs));
}

void TestTrafficGenerator::stalledLoopIsCappedAndCounted()
{
    Settings settings = settingsWith(50);
    settings.clicksPerSecond = TrafficGenerator::kMaxClicksPerSecond;
    TrafficGenerator generator(settings);
    QSignalSpy spy(&generator, &TrafficGenerator::clicksGenerated);
    generator.start();
    // Deliberately block the event loop, as a busy GUI thread would: at 1,000,000/s this owes
    // ~100,000 clicks by the first tick, five times the cap.
    QThread::msleep(100);
    QVERIFY(spy.wait(kWaitMs));
    generator.stop();
    const qsizetype firstBatch = spy.first().first().value<QList<QJsonObject>>().size();
    QCOMPARE(firstBatch, qsizetype(TrafficGenerator::kMaxBatch));
    QVERIFY2(generator.skippedClicks() >= 50'000, qPrintable(QString::number(generator.skippedClicks())));
    // Nothing is owed after the cap: what was skipped is gone, not queued.
    spy.clear();
    QVERIFY(!spy.wait(kQuietMs));
}

void TestTrafficGenerator::wobbleVariesAndStaysPositive()
{
    constexpr double kPeriod = 120;
    QVERIFY(TrafficGenerator::wobbleFactor(0, kPeriod) > 0.8);
    double low = std::numeric_limits<double>::max();
    double high = 0;
    double sum = 0;
    double previous = TrafficGenerator::wobbleFactor(0, kPeriod);
    double steepest = 0;
    constexpr int kSteps = 12'000;   // every 10 ms of one period: finer than a tick
    for (int i = 0; i <= kSteps; ++i) {
        const double factor = TrafficGenerator::wobbleFactor(kPeriod * i / kSteps, kPeriod);
        QVERIFY2(factor > 0.3 && factor < 1.7, qPrintable(QString::number(factor)));
        low = std::min(low, factor);
        high = std::max(high, factor);
        sum += factor;
        steepest = std::max(steepest, std::abs(factor - previous));
        previous = factor;
    }
    QVERIFY2(high - low > 0.6, qPrintable(QStringLiteral("%1..%2").arg(low).arg(high)));
    QVERIFY2(std::abs(sum / (kSteps + 1) - 1.0) < 0.05, qPrintable(QString::number(sum / (kSteps + 1))));
    QVERIFY2(steepest < 0.01, qPrintable(QString::number(steepest)));   // smooth, no jumps between ticks
    // The peak is a quarter period in, the trough three quarters.
    QVERIFY(TrafficGenerator::wobbleFactor(kPeriod / 4, kPeriod) > 1.2);
    QVERIFY(TrafficGenerator::wobbleFactor(3 * kPeriod / 4, kPeriod) < 0.8);

    // Far from the start and with odd periods it is still positive; a bad period falls back.
    for (double t : {1e6, 1e9, 12345.678})
        QVERIFY(TrafficGenerator::wobbleFactor(t, 1) > 0);
    QVERIFY(TrafficGenerator::wobbleFactor(30, 0) > 0);
    QVERIFY(TrafficGenerator::wobbleFactor(30, std::nan("")) > 0);
    QCOMPARE(TrafficGenerator::wobbleFactor(std::nan(""), kPeriod), 1.0);
}

void TestTrafficGenerator::badSettingsAreClamped()
{
    Settings bad;
    bad.clicksPerSecond = -5;
    bad.links = 0;
    bad.wobblePeriodSeconds = -1;
    TrafficGenerator generator(bad);
    QCOMPARE(generator.rate(), 0.0);
    QCOMPARE(generator.settings().links, 1);
    QCOMPARE(generator.settings().wobblePeriodSeconds, TrafficGenerator::kDefaultWobblePeriodSeconds);
    QCOMPARE(generator.generate(5).size(), 5);
    QVERIFY(generator.generate(0).isEmpty());
    QVERIFY(generator.generate(-3).isEmpty());

    generator.setRate(std::nan(""));
    QCOMPARE(generator.rate(), 0.0);
    generator.setRate(-1);
    QCOMPARE(generator.rate(), 0.0);
    generator.setRate(std::numeric_limits<double>::infinity());
    QCOMPARE(generator.rate(), TrafficGenerator::kMaxClicksPerSecond);
    generator.setRate(5e9);
    QCOMPARE(generator.rate(), TrafficGenerator::kMaxClicksPerSecond);
    generator.setRate(0.5);
    QCOMPARE(generator.rate(), 0.5);

    Settings tooMany;
    tooMany.links = TrafficGenerator::kMaxLinks + 1;
    tooMany.clicksPerSecond = std::nan("");
    tooMany.wobblePeriodSeconds = 0.01;
    const Settings clamped = TrafficGenerator::sanitized(tooMany);
    QCOMPARE(clamped.links, TrafficGenerator::kMaxLinks);
    QCOMPARE(clamped.clicksPerSecond, 0.0);
    QCOMPARE(clamped.wobblePeriodSeconds, TrafficGenerator::kMinWobblePeriodSeconds);
    QCOMPARE(TrafficGenerator::sanitized(Settings{-1, -7, 3, true, std::nan("")}).links, 1);
}

void TestTrafficGenerator::wobbleCanBeSwitchedOff()
{
    TrafficGenerator generator(TrafficGenerator::Settings{});
    QVERIFY(generator.settings().wobble);   // by default the rate moves, so charts do
    generator.setWobble(false);             // a flat rate
    QVERIFY(!generator.settings().wobble);
    generator.setWobble(true);
    QVERIFY(generator.settings().wobble);
}

QTEST_GUILESS_MAIN(TestTrafficGenerator)
#include "tst_trafficgenerator.moc"
