// SPDX-License-Identifier: MIT
// What the user typed as a stream URL, judged in words, and when two requests are one stream.
#include "core/source/sourceconfig.h"

#include <QTest>

using namespace Clickscope;

class TestSourceConfig : public QObject
{
    Q_OBJECT

private slots:
    void idleTimeoutDefaultsToGetOnly();
    void typedUrlsAreJudgedInWords_data();
    void typedUrlsAreJudgedInWords();
    void sameStreamMeansSameUrlMethodAndBody();
    void secretsAreTakenOutOfUrls_data();
    void secretsAreTakenOutOfUrls();
    void invalidUrlsAreNotQuoted();
};

void TestSourceConfig::typedUrlsAreJudgedInWords_data()
{
    QTest::addColumn<QString>("typed");
    QTest::addColumn<QStringList>("says");
    QTest::addColumn<QString>("marked");   // the part of `typed` to select
    QTest::newRow("fine") << QStringLiteral("http://127.0.0.1:8080/events") << QStringList() << QString();
    QTest::newRow("fine, IPv6") << QStringLiteral("ws://[::1]:9/ws") << QStringList() << QString();
    QTest::newRow("fine, user and spaces")
        << QStringLiteral("  https://u:p@example.com/s?q=1  ") << QStringList() << QString();
    QTest::newRow("scheme and port") << QStringLiteral("htp://127.0.0.1:abc/events")
                                     << QStringList{QStringLiteral("unknown scheme 'htp': did you mean http?"),
                                                    QStringLiteral("the port 'abc' is not a number")}
                                     << QStringLiteral("htp");
    QTest::newRow("port only") << QStringLiteral("http://127.0.0.1:abc/events")
                               << QStringList{QStringLiteral("the port 'abc' is not a number")}
                               << QStringLiteral("abc");
    QTest::newRow("port too big") << QStringLiteral("http://h:70000/")
                                  << QStringList{QStringLiteral("not between 1 and 65535")} << QStringLiteral("70000");
    QTest::newRow("port far too big") << QStringLiteral("http://h:99999999999999999999999/")
                                      << QStringList{QStringLiteral("not between 1 and 65535")}
                                      << QStringLiteral("99999999999999999999999");
    QTest::newRow("far scheme") << QStringLiteral("ftp://example.com/feed")
                                << QStringList{QStringLiteral(
                                       "unknown scheme 'ftp': use http, https, ws, wss, redis or nats")}
                                << QStringLiteral("ftp");
    QTest::newRow("wws") << QStringLiteral("wws://h/") << QStringList{QStringLiteral("did you mean ws?")}
                         << QStringLiteral("wws");
    QTest::newRow("no scheme") << QStringLiteral("127.0.0.1:8080/events")
                               << QStringList{QStringLiteral("has no scheme; try http://127.0.0.1:8080/events")}
                               << QStringLiteral("127.0.0.1:8080/events");
    QTest::newRow("host:port") << QStringLiteral("localhost:8080") << QStringList{QStringLiteral("has no scheme")}
                               << QStringLiteral("localhost:8080");
    QTest::newRow("one slash") << QStringLiteral("http:/x")
                               << QStringList{QStringLiteral("'http:' must be followed by '//'")} << QString();
    QTest::newRow("no host") << QStringLiteral("http:///events")
                             << QStringList{QStringLiteral("no host after 'http://'")} << QString();
    QTest::newRow("nothing") << QStringLiteral("   ") << QStringList{QStringLiteral("no URL given")} << QString();
    QTest::newRow("unclosed IPv6") << QStringLiteral("http://[::1/x") << QStringList{QStringLiteral("no closing ']'")}
                                   << QStringLiteral("[::1");
}

void TestSourceConfig::typedUrlsAreJudgedInWords()
{
    QFETCH(QString, typed);
    QFETCH(QStringList, says);
    QFETCH(QString, marked);
    const Result<void, UrlProblem> usable = checkTypedUrl(typed);
    if (says.isEmpty()) {
        QVERIFY2(usable, qPrintable(usable.error().message));
        QVERIFY(checkStreamUrl(QUrl(typed.trimmed(), QUrl::StrictMode)));
        return;
    }
    QVERIFY(!usable);
    const UrlProblem &problem = usable.error();
    for (const QString &part : std::as_const(says))
        QVERIFY2(problem.message.contains(part), qPrintable(problem.message));
    QVERIFY2(!problem.message.contains(u"QUrl") && !problem.message.contains(u"scheme = "),
             qPrintable(problem.message));
    QCOMPARE(typed.mid(problem.start, problem.length), marked);
}

void TestSourceConfig::sameStreamMeansSameUrlMethodAndBody()
{
    SourceConfig a;
    a.url = QUrl(QStringLiteral("http://h:1/events"));
    SourceConfig b = a;
    b.headers = {{"Authorization", "Bearer other"}};
    b.defaultRetryMs = 1;
    QVERIFY(opensSameStream(a, b));   // settings of the connection, not another stream
    b.url = QUrl(QStringLiteral("http://h:1/./events"));
    QVERIFY(opensSameStream(a, b));
    b.url = QUrl(QStringLiteral("http://h:2/events"));
    QVERIFY(!opensSameStream(a, b));
    b = a;
    b.method = "POST";
    QVERIFY(!opensSameStream(a, b));
    b = a;
    b.body = "{}";
    QVERIFY(!opensSameStream(a, b));
}

void TestSourceConfig::secretsAreTakenOutOfUrls_data()
{
    QTest::addColumn<QString>("url");
    QTest::addColumn<QString>("clean");
    QTest::addColumn<QStringList>("removed");
    QTest::newRow("nothing secret") << QStringLiteral("https://h/s?channel=a&n=1")
                                    << QStringLiteral("https://h/s?channel=a&n=1") << QStringList();
    QTest::newRow("token") << QStringLiteral("https://h/s?channel=a&access_token=abc&n=1")
                           << QStringLiteral("https://h/s?channel=a&n=1")
                           << QStringList{QStringLiteral("access_token")};
    QTest::newRow("only a key") << QStringLiteral("https://h/s?api_key=abc") << QStringLiteral("https://h/s")
                                << QStringList{QStringLiteral("api_key")};
    QTest::newRow("sig and password") << QStringLiteral("wss://u:pw@h/ws?sig=x&Auth=y")
                                      << QStringLiteral("wss://u@h/ws")
                                      << QStringList{QStringLiteral("password"), QStringLiteral("sig"),
                                                     QStringLiteral("Auth")};
    QTest::newRow("encoded name") << QStringLiteral("http://h/?my%5Ftoken=1&q=%20x")
                                  << QStringLiteral("http://h/?q=%20x") << QStringList{QStringLiteral("my_token")};
    QTest::newRow("jwt and pwd") << QStringLiteral("http://h/?jwt=a&pwd=b&q=1") << QStringLiteral("http://h/?q=1")
                                 << QStringList{QStringLiteral("jwt"), QStringLiteral("pwd")};
}

void TestSourceConfig::secretsAreTakenOutOfUrls()
{
    QFETCH(QString, url);
    QFETCH(QString, clean);
    QFETCH(QStringList, removed);
    QStringList names;
    QCOMPARE(urlWithoutSecrets(QUrl(url, QUrl::StrictMode), &names).toString(QUrl::FullyEncoded), clean);
    QCOMPARE(names, removed);
}

void TestSourceConfig::invalidUrlsAreNotQuoted()
{
    // Qt's own message about an invalid URL quotes all of it, password included.
    const QUrl url(QStringLiteral("http://me:s3cret@exa mple.com/s"), QUrl::StrictMode);
    QVERIFY(!url.isValid());
    const Result<void> checked = checkStreamUrl(url);
    QVERIFY(!checked);
    QVERIFY2(checked.error().startsWith(QStringLiteral("not a valid URL")), qPrintable(checked.error()));
    QVERIFY2(!checked.error().contains(QStringLiteral("s3cret")), qPrintable(checked.error()));
}

void TestSourceConfig::idleTimeoutDefaultsToGetOnly()
{
    SourceConfig config;
    QCOMPARE(config.idleTimeout(), SourceConfig::kDefaultIdleTimeoutMs);
    config.method = "POST";   // re-sending the body after mere silence could repeat a costly request
    QCOMPARE(config.idleTimeout(), 0);
    config.idleTimeoutMs = 2000;
    QCOMPARE(config.idleTimeout(), 2000);
    config.method = "GET";
    config.idleTimeoutMs = 0;
    QCOMPARE(config.idleTimeout(), 0);
}

QTEST_GUILESS_MAIN(TestSourceConfig)
#include "tst_sourceconfig.moc"
