// SPDX-License-Identifier: MIT
#pragma once

#include "app/recordingopener.h"
#include "app/secretstore.h"
#include "app/streamlist.h"
#include "app/streamrequest.h"
#include "app/themeswitcher.h"
#include "core/model/clickpipeline.h"
#include "core/result.h"

#include <QElapsedTimer>
#include <QMainWindow>
#include <QTimer>

#include <memory>

class QActionGroup;
class QComboBox;
class QDockWidget;
class QLabel;

namespace Ui {
class MainWindow;
}

namespace Clickscope {

class CompareWindow;
class ConnectionPanel;
class CountersPanel;
class DemoServer;
class EventInspector;
class PublisherPanel;
class RankingPanel;
class ReplayBar;
class RateChartView;
class SharePanel;
class StreamOverview;
class StreamSidebar;
class StreamStatus;

// The dashboard window. It owns the streams (StreamList: each with its ClickPipeline, stream and
// aggregation off the UI thread), shows one of them on the dashboard, and all of them in the
// stream list and the overview. Snapshots are only kept as they arrive; one display tick for the
// whole window draws the dashboard and the list from the latest, so the UI thread only renders,
// at most at the display rate, however many streams run. It also owns the demo publisher when
// one runs, and keeps the user's choices (recent URLs, chart window, layout, theme) in QSettings.
//
// What concerns "the stream" below (connecting, recording, the counters) is about the current
// one: the one on the dashboard.
class MainWindow : public QMainWindow
{
    Q_OBJECT
public:
    explicit MainWindow(QWidget *parent = nullptr);
    ~MainWindow() override;

    static constexpr int kDisplayHz = 30;

    // Connects with `request`; a bad URL is shown in the window, not thrown. A different stream
    // (URL, method or body) starts a new session from zero; the same one again keeps its totals.
    void connectTo(const StreamRequest &request);
    void connectTo(const QUrl &url, const QList<HttpHeader> &headers = {});
    // Replays the recording at `path` (or a browser's .har, imported) into the dashboard at
    // `speed` (0: as fast as possible), with the replay bar's controls.
    void openRecording(const QString &path, double speed = 1);
    ReplayBar *replayBar() const { return m_replayBar; }
    // Records the stream into `path` from now on (connecting again to the last one when none is
    // connected); a message in the window says why it cannot.
    Result<void> startRecording(const QString &path);
    Result<void> stopRecording();
    bool isRecording() const { return !m_current->recordingPath.isEmpty(); }
    QLabel *recordingIndicator() const { return m_recordingIndicator; }
    void disconnectFromStream();
    // Connects again with the last request (Ctrl+R); false when there was none.
    bool reconnect();
    // Zero everywhere: counters, charts, tables, the inspector and its detail pane.
    void resetStatistics();
    // Starts the embedded publisher with synthetic traffic and connects to it. False (with a
    // message in the window) when it cannot listen.
    bool startDemo();
    void stopDemo();
    DemoServer *demoServer() const { return m_demo.get(); }

    // Freezes what is shown; ingestion goes on and the inspector keeps what arrives meanwhile.
    void setDisplayPaused(bool paused);
    bool isDisplayPaused() const { return m_paused; }
    void setChartWindow(int seconds);

    // Writes the export files into `directory` (CSV of the series and every table, PNG of the
    // dashboard and each chart, the JSON report) and returns their paths.
    Result<QStringList> exportTo(const QString &directory);
    // Opens the compare window (Stream ▸ Compare with another stream…) with the current stream as
    // its first, and as its second the same publisher's other transport when the URL is one of
    // its (/events and /ws carry the same clicks); it keeps comparing while the dashboard goes on.
    // With several streams, the second is the one after the current, or the other of two rows
    // selected in the overview (the two are then compared at once).
    CompareWindow *openCompareWindow();
    // The compare window on two of the window's streams, each read with its own settings;
    // comparing at once.
    CompareWindow *compareStreams(const WatchedStream *first, const WatchedStream *second);
    // Opens the connect dialog on the current request; connects when accepted.
    void openConnectDialog();
    // The connect dialog on `request`; connects when accepted.
    void openConnectDialogFor(const StreamRequest &request);

    // A stream was asked for and is connecting, open or retrying (not closed).
    bool isConnected() const { return m_current->isConnected(); }
    // From the latest snapshot.
    quint64 eventCount() const { return m_current->snapshot ? m_current->snapshot->totals.events : 0; }
    quint64 clickCount() const { return m_current->snapshot ? m_current->snapshot->totals.clicks : 0; }
    DashboardSnapshotPtr lastSnapshot() const { return m_current->snapshot; }
    const StreamRequest &lastRequest() const { return m_current->request; }
    ClickPipeline &pipeline() { return m_current->pipeline(); }

    // Several streams. There is always at least one; the current one is on the dashboard.
    StreamList *streams() { return &m_streams; }
    WatchedStream *currentStream() const { return m_current; }
    // A new stream after the others, shown (on the start page until it connects); null with a
    // message when the window holds StreamList::kMaxStreams.
    WatchedStream *addStream();
    // A new stream connected with `request`, shown.
    WatchedStream *openStream(const StreamRequest &request);
    // Disconnects the stream and lets it go (its thread and socket with it); the last one is
    // replaced by a new, empty one.
    void removeStream(WatchedStream *stream);
    // Puts the stream at `row` on the dashboard.
    void showStream(int row);
    // Every stream, a row each (View ▸ Overview).
    void showOverview();
    bool showsOverview() const;
    StreamSidebar *streamSidebar() const { return m_sidebar; }
    StreamOverview *streamOverview() const { return m_overview; }
    QDockWidget *streamsDock() const { return m_streamsDock; }

    // File ▸ Save workspace: the streams (each without its secrets, which go to the desktop
    // keyring when there is one), the one shown, and the layout. It becomes the workspace that
    // restoreLastWorkspace() opens.
    Result<void> saveWorkspace(const QString &path);
    // File ▸ Open workspace: the file's streams in place of the window's, the layout, and a
    // connection for each stream that was connected, once its secrets are back from the keyring.
    // A stream whose secrets cannot come back waits, and the window says what to give and why.
    Result<void> openWorkspace(const QString &path);
    // Opens the workspace saved or opened last, when there is one and its file is still there.
    bool restoreLastWorkspace();
    const QString &workspacePath() const { return m_workspacePath; }
    ThemeSwitcher::Theme theme() const { return m_theme.theme(); }
    // Switches the palette and ticks the theme in View ▸ Theme.
    void setTheme(ThemeSwitcher::Theme theme);
    // A theme for this run only (the command line's --theme): the saved preference stays.
    void setThemeForThisRun(ThemeSwitcher::Theme theme);

    CountersPanel *countersPanel() const;
    RateChartView *rateChart() const;
    SharePanel *sharePanel() const;
    RankingPanel *rankingPanel() const;
    EventInspector *eventInspector() const;
    StreamStatus *streamStatus() const { return m_status; }
    ConnectionPanel *connectionPanel() const { return m_connectionPanel; }
    QDockWidget *connectionDock() const { return m_connectionDock; }
    // Shows the Connection X-ray dock (View ▸ Connection X-ray, or the status bar's marker).
    void showConnectionXray();
    PublisherPanel *publisherPanel() const { return m_publisherPanel; }
    bool showsDashboard() const;
    // Renders now what the display tick would (tests, screenshots).
    void renderPending() { displayTick(); }
    // How many display ticks have run: one per frame for the whole window, however many
    // streams feed it (the GUI benchmark's figure).
    quint64 displayTicks() const { return m_displayTicks; }

    // Help ▸ About: the version, the Qt it was built with and runs on, and the licences.
    static QString aboutText();

    // The URLs of the recent streams, newest first.
    QStringList recentUrls() const;

protected:
    void closeEvent(QCloseEvent *event) override;

private:
    void setUpActions();
    void toggleConnection();
    // Enter in the URL bar: a different URL switches to it at once, as a browser's address bar
    // does; the URL of the current stream connects or disconnects it.
    void goToTypedUrl();
    // `url` with the current request's headers, body and mapping when it is on the same server.
    StreamRequest requestFor(const QUrl &url) const;
    void exportInteractively();
    void openRecordingInteractively();
    void recordInteractively();
    void showRecording(const std::optional<RecordingProgress> &recording);
    void seekReplay(qint64 positionNs);
    // Says where the files went, with a button that opens the folder.
    void confirmExport(const QString &directory, qsizetype fileCount);
    void showAbout();
    // Wires a new stream's pipeline to the window, with the window's chart window and choices.
    void adopt(WatchedStream *stream);
    void onSnapshot(WatchedStream *stream, const DashboardSnapshotPtr &snapshot);
    void onStateChanged(WatchedStream *stream, StreamSource::State state);
    void onFailed(WatchedStream *stream, const QString &message);
    void onRecordingEnded(WatchedStream *stream, const QString &path, const QString &error);
    // The window's one display clock: the stream list's changed rows, then the current stream.
    void scheduleDisplayTick();
    void displayTick();
    void showCurrentSnapshot();
    void render(const DashboardSnapshotPtr &snapshot);
    // The status bar, URL row, replay bar and X-ray as the current stream has them.
    void showCurrentState();
    void moveStream(WatchedStream *stream, int by);
    // Shows the stream list, narrow, when it is hidden.
    void showStreamList();
    // What Stream ▸ Remove, Rename and Move act on.
    WatchedStream *targetStream() const;
    void disconnectStream(WatchedStream *stream);
    // The compare window, made when first asked for, shown and raised.
    CompareWindow *presentCompareWindow();
    void connectStream(WatchedStream *stream, const StreamRequest &request);
    // Opens the connect dialog on `request` and says that `missing` must be given again.
    void askForCredentials(const QStringList &missing, const StreamRequest &request);
    void saveWorkspaceInteractively(bool choosePath);
    void openWorkspaceInteractively();
    // Once the keyring answers for a restored stream: its secrets put back and, when it was
    // connected in the workspace, a connection.
    void restoreSecrets(quint64 streamId, const QByteArray &secrets, const QString &error, bool connect);
    void showMessage(const QString &text, bool isError);
    bool isDemoUrl(const QUrl &url) const;   // served by the running demo publisher
    // The URL bar's completions and the start page's list.
    void showRecentStreams();
    void openRecentStream(int index);
    void restoreSettings();
    // Enables what can apply now: Reconnect with a stream to go back to, Reset and Export with data.
    void updateActions();
    void showPauseState();
    // What the window holds of a stream besides its pipeline (the inspector's rows, the X-ray):
    // cleared when its statistics start afresh.
    void clearViews(WatchedStream *stream);
    void saveSettings() const;

    std::unique_ptr<Ui::MainWindow> m_ui;
    ThemeSwitcher m_theme;
    StreamList m_streams;
    WatchedStream *m_current = nullptr;   // in m_streams, never null after construction
    std::unique_ptr<DemoServer> m_demo;
    StreamSidebar *m_sidebar;   // in m_streamsDock
    QDockWidget *m_streamsDock;
    StreamOverview *m_overview;      // a page of the window
    QTimer m_displayTick;            // single shot: armed by the first snapshot after a tick
    QElapsedTimer m_sinceTick;       // since the last tick
    QTimer m_listClock;              // moves the list's retry countdowns while nothing arrives
    bool m_currentChanged = false;   // the current stream has a snapshot not drawn yet
    quint64 m_displayTicks = 0;
    StreamStatus *m_status;               // in the status bar
    ConnectionPanel *m_connectionPanel;   // in m_connectionDock
    QDockWidget *m_connectionDock;
    ReplayBar *m_replayBar;                     // above the dashboard while a recording plays
    QLabel *m_recordingIndicator;               // in the status bar while the stream is recorded
    RecordingOpener m_opener;                   // recordings, and HAR files made into recordings
    SecretStore m_secrets;                      // a workspace's secrets
    QString m_workspacePath;                    // saved or opened last
    CompareWindow *m_compareWindow = nullptr;   // a child window, made when first opened
    QDockWidget *m_publisherDock = nullptr;     // created with the demo
    PublisherPanel *m_publisherPanel = nullptr;
    QComboBox *m_windowCombo;   // in the toolbar
    QActionGroup *m_themeGroup;
    DashboardSnapshotPtr m_shown;   // the one on screen (older while paused)
    XraySnapshotPtr m_xrayShown;    // the X-ray the status bar was given last
    bool m_paused = false;
    // What View ▸ Theme last chose (or the settings held), saved whatever this run shows.
    ThemeSwitcher::Theme m_themePreference = ThemeSwitcher::Theme::System;
    bool m_renderOncePaused = false;   // after a reset: show the zeroes once even while paused
};

}   // namespace Clickscope
