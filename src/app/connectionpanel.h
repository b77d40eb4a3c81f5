// SPDX-License-Identifier: MIT
#pragma once

#include "core/xray/xraysnapshot.h"

#include <QWidget>

class QLabel;
class QPlainTextEdit;
class QTableWidget;
class QTextBrowser;

namespace Clickscope {

class ConnectionTimeline;

// The connection X-ray of the current stream: the checks as pass/fail lights, the findings with
// their evidence, a timeline of attempts, reads and heartbeats, the attempts as a table, and the
// request and response heads of the selected attempt (secrets masked).
class ConnectionPanel : public QWidget
{
    Q_OBJECT
public:
    explicit ConnectionPanel(QWidget *parent = nullptr);

    // Once per X-ray the pipeline delivers.
    void setXray(XraySnapshotPtr xray);
    void clear();

    XraySnapshotPtr xray() const { return m_xray; }
    // What the panel shows, as text: for tests and for reading it out.
    QString checksText() const;
    QStringList findingTexts() const;
    int attemptRows() const;
    QString headersText() const;
    ConnectionTimeline *timeline() const { return m_timeline; }
    // Selects the attempt of that number in the table (its heads show below).
    void selectAttempt(quint64 number);

    // One line per exchange of `attempt`: the request sent and the response head, masked.
    static QString headsOf(const ConnectionAttempt &attempt);

private:
    void showChecks();
    void showFindings();
    void showAttempts();
    void showSelectedHeads();

    XraySnapshotPtr m_xray;
    QLabel *m_checks;
    QTextBrowser *m_findings;
    QStringList m_findingTexts;
    QString m_findingsHtml;
    ConnectionTimeline *m_timeline;
    QTableWidget *m_attempts;
    QPlainTextEdit *m_heads;
    quint64 m_selectedAttempt = 0;   // 0: follow the newest
};

}   // namespace Clickscope
