// SPDX-License-Identifier: MIT
// The connect dialog on its own: what it refuses and why, the request it builds, and the live
// preview of the field mapping.
#include "app/connectdialog.h"

#include <QComboBox>
#include <QDialogButtonBox>
#include <QLabel>
#include <QLineEdit>
#include <QPlainTextEdit>
#include <QPushButton>
#include <QTest>

using namespace Clickscope;

class TestConnectDialog : public QObject
{
    Q_OBJECT

private slots:
    void badInputIsRefused_data();
    void badInputIsRefused();
    void goodInputBuildsTheRequest();
    void requestRoundTrips();
    void previewFollowsTheMapping();
    void enterConnectsOnlyWhenValid();

private:
    static QPushButton *okButton(ConnectDialog &dialog)
    {
        return dialog.findChild<QDialogButtonBox *>("buttons")->button(QDialogButtonBox::Ok);
    }
};

void TestConnectDialog::badInputIsRefused_data()
{
    QTest::addColumn<QString>("url");
    QTest::addColumn<QString>("method");
    QTest::addColumn<QString>("headers");
    QTest::addColumn<QString>("body");
    QTest::addColumn<QString>("linkPointer");
    QTest::addColumn<QString>("problemStart");
    QTest::addColumn<QString>("checks");

    const QString ok = QStringLiteral("http://127.0.0.1:8080/events");
    QTest::newRow("empty url") << ""
                               << "GET"
                               << ""
                               << ""
                               << ""
                               << "Enter the URL"
                               << "";
    QTest::newRow("ftp url") << "ftp://example.com/x"
                             << "GET"
                             << ""
                             << ""
                             << ""
                             << ""
                             << "";
    QTest::newRow("no scheme") << "example.com/events"
                               << "GET"
                               << ""
                               << ""
                               << ""
                               << ""
                               << "";
    QTest::newRow("header without colon") << ok << "GET"
                                          << "Authorization Bearer x"
                                          << ""
                                          << ""
                                          << "Header on line 1"
                                          << "";
    QTest::newRow("second header bad") << ok << "GET"
                                       << "A: 1\n: empty name"
                                       << ""
                                       << ""
                                       << "Header on line 2"
                                       << "";
    QTest::newRow("body with GET") << ok << "GET"
                                   << ""
                                   << "{\"q\":1}"
                                   << ""
                                   << "A request body needs the POST"
                                   << "";
    QTest::newRow("pointer without slash") << ok << "GET"
                                           << ""
                                           << ""
                                           << "payload/slug"
                                           << "Mapping of link"
                                           << "";
    QTest::newRow("unknown check") << ok << "GET"
                                   << ""
                                   << ""
                                   << ""
                                   << "Checks: 'gapz=0': unknown check"
                                   << "gaps=0 gapz=0";
    QTest::newRow("check without comparison") << ok << "GET"
                                              << ""
                                              << ""
                                              << ""
                                              << "Checks: 'events'"
                                              << "events";
}

void TestConnectDialog::badInputIsRefused()
{
    QFETCH(QString, url);
    QFETCH(QString, method);
    QFETCH(QString, headers);
    QFETCH(QString, body);
    QFETCH(QString, linkPointer);
    QFETCH(QString, problemStart);
    QFETCH(QString, checks);

    ConnectDialog dialog;
    dialog.urlEdit()->setText(url);
    dialog.findChild<QComboBox *>("methodCombo")->setCurrentText(method);
    dialog.findChild<QPlainTextEdit *>("headersEdit")->setPlainText(headers);
    dialog.findChild<QPlainTextEdit *>("bodyEdit")->setPlainText(body);
    dialog.mappingEdit(FieldMapping::Field::Link)->setText(linkPointer);
    dialog.findChild<QLineEdit *>("checksEdit")->setText(checks);

    QVERIFY(!dialog.problem().isEmpty());
    if (!problemStart.isEmpty())
        QVERIFY2(dialog.problem().startsWith(problemStart), qPrintable(dialog.problem()));
    QVERIFY(!okButton(dialog)->isEnabled());
    auto *label = dialog.findChild<QLabel *>("problemLabel");
    QCOMPARE(label->text(), dialog.problem());
    QVERIFY(!label->isHidden());
}

void TestConnectDialog::goodInputBuildsTheRequest()
{
    ConnectDialog dialog;
    dialog.urlEdit()->setText(QStringLiteral("  https://api.example.com/v1/stream  "));
    dialog.findChild<QComboBox *>("methodCombo")->setCurrentText(QStringLiteral("POST"));
    dialog.findChild<QPlainTextEdit *>("headersEdit")
        ->setPlainText(QStringLiteral("Authorization: Bearer abc\n\nX-Trace:  7 "));
    dialog.findChild<QPlainTextEdit *>("bodyEdit")->setPlainText(QStringLiteral("{\"prompt\":\"hi\"}"));
    dialog.findChild<QLineEdit *>("lastEventIdEdit")->setText(QStringLiteral("41"));
    dialog.findChild<QLineEdit *>("doneMarkerEdit")->setText(QStringLiteral("[DONE]"));
    dialog.mappingEdit(FieldMapping::Field::Link)->setText(QStringLiteral("/payload/slug"));
    dialog.findChild<QLineEdit *>("checksEdit")->setText(QStringLiteral("  gaps=0   heartbeat<=30s no-buffering "));

    QVERIFY2(dialog.problem().isEmpty(), qPrintable(dialog.problem()));
    QVERIFY(okButton(dialog)->isEnabled());
    QVERIFY(dialog.findChild<QLabel *>("problemLabel")->isHidden());
    const StreamRequest request = dialog.request();
    QCOMPARE(request.config.url, QUrl(QStringLiteral("https://api.example.com/v1/stream")));
    QCOMPARE(request.config.method, QByteArray("POST"));
    QCOMPARE(request.config.headers.size(), 2);
    QCOMPARE(request.config.headers.at(0), (HttpHeader{"Authorization", "Bearer abc"}));
    QCOMPARE(request.config.headers.at(1).first, QByteArray("X-Trace"));
    QCOMPARE(request.config.headers.at(1).second, QByteArray("7"));
    QCOMPARE(request.config.body, QByteArray("{\"prompt\":\"hi\"}"));
    QCOMPARE(request.config.lastEventId, QByteArray("41"));
    QCOMPARE(request.config.doneMarker, std::optional<QByteArray>("[DONE]"));
    QCOMPARE(request.mapping.pointer(FieldMapping::Field::Link), QStringLiteral("/payload/slug"));
    QVERIFY(!request.mapping.isMapped(FieldMapping::Field::Country));
    QCOMPARE(request.checks.size(), 3);
    QCOMPARE(request.checks.at(1).text(), QStringLiteral("heartbeat<=30s"));
}

void TestConnectDialog::requestRoundTrips()
{
    StreamRequest request;
    request.config.url = QUrl(QStringLiteral("ws://127.0.0.1:9000/ws"));
    request.config.headers = {{"Authorization", "Bearer t"}};
    request.config.lastEventId = "abc";
    QVERIFY(request.mapping.setPointer(FieldMapping::Field::Country, QStringLiteral("/geo/cc")));
    request.checks = *StreamCheck::parseAll({QStringLiteral("status=200"), QStringLiteral("rate>=10/s")});
    ConnectDialog dialog;
    dialog.setRecentUrls({QStringLiteral("http://a/"), QStringLiteral("http://b/")});
    dialog.setRequest(request);
    QVERIFY(dialog.problem().isEmpty());
    const StreamRequest back = dialog.request();
    QCOMPARE(back.config.url, request.config.url);
    QCOMPARE(back.config.headers, request.config.headers);
    QCOMPARE(back.config.lastEventId, request.config.lastEventId);
    QCOMPARE(back.mapping, request.mapping);
    QCOMPARE(back.checks.size(), 2);
    QCOMPARE(back.checks.at(1).text(), QStringLiteral("rate>=10/s"));
    QCOMPARE(dialog.findChild<QComboBox *>("urlCombo")->count(), 2);
}

void TestConnectDialog::previewFollowsTheMapping()
{
    ConnectDialog dialog;
    dialog.urlEdit()->setText(QStringLiteral("http://127.0.0.1/e"));
    QVERIFY(dialog.previewText().startsWith(QStringLiteral("No sample yet")));
    dialog.setSample("message", R"({"payload":{"slug":"/abc"},"geo":{"cc":"NL"},"ts":1763900000000})");
    // Without a mapping there is no link among the usual names.
    QVERIFY2(dialog.previewText().startsWith(QStringLiteral("Not a click")), qPrintable(dialog.previewText()));
    dialog.mappingEdit(FieldMapping::Field::Link)->setText(QStringLiteral("/payload/slug"));
    QVERIFY2(dialog.previewText().startsWith(QStringLiteral("Click")), qPrintable(dialog.previewText()));
    QVERIFY(dialog.previewText().contains(QStringLiteral("link      /abc")));
    QVERIFY(dialog.previewText().contains(QStringLiteral("country   —")));
    QVERIFY(dialog.previewText().contains(QStringLiteral("2025-11-23 12:13:20.000 UTC")));
    dialog.mappingEdit(FieldMapping::Field::Country)->setText(QStringLiteral("/geo/cc"));
    QVERIFY(dialog.previewText().contains(QStringLiteral("country   NL")));
    // A mapped field of the wrong type is what the stream would count as undecodable.
    dialog.mappingEdit(FieldMapping::Field::Country)->setText(QStringLiteral("/ts"));
    QVERIFY2(dialog.previewText().startsWith(QStringLiteral("Undecodable")), qPrintable(dialog.previewText()));
    dialog.findChild<QPlainTextEdit *>("sampleEdit")->setPlainText(QStringLiteral("{\"clickCount\": 12}"));
    QVERIFY2(dialog.previewText().startsWith(QStringLiteral("Snapshot: 12")), qPrintable(dialog.previewText()));
}

void TestConnectDialog::enterConnectsOnlyWhenValid()
{
    ConnectDialog dialog;
    dialog.show();
    QVERIFY(QTest::qWaitForWindowExposed(&dialog));
    dialog.urlEdit()->setText(QStringLiteral("not a url"));
    QTest::keyClick(dialog.urlEdit(), Qt::Key_Return);
    QVERIFY(dialog.isVisible());
    QCOMPARE(dialog.result(), int(QDialog::Rejected));
    dialog.urlEdit()->setText(QStringLiteral("http://127.0.0.1:8080/events"));
    QTest::keyClick(dialog.urlEdit(), Qt::Key_Return);
    QCOMPARE(dialog.result(), int(QDialog::Accepted));
}

QTEST_MAIN(TestConnectDialog)
#include "tst_connectdialog.moc"
