// The on-screen keyboard's QML side (ui/widgets/virtual_keyboard.py hosts it in a
// QQuickWidget docked at the bottom of the main window). Qt Virtual Keyboard's own
// InputPanel: Pinyin with its candidate bar for Chinese, a QWERTY layout for English.
import QtQuick
import QtQuick.VirtualKeyboard
import QtQuick.VirtualKeyboard.Settings

Item {
    id: root
    // "zh_CN" or "en_US": follows the session language (set from Python).
    property string locale: "zh_CN"
    // The keyboard is as tall as its width makes it; on a wide panel it keeps to this.
    property real maxPanelWidth: width
    readonly property real panelHeight: panel.height
    // Sliding in or out: keys take no taps until it settles.
    readonly property bool animating: InputContext.animating

    onLocaleChanged: VirtualKeyboardSettings.locale = locale

    Rectangle {
        anchors.fill: parent
        color: "#1e2328"  // the default style's keyboard background, edge to edge
    }

    InputPanel {
        id: panel
        objectName: "panel"
        width: Math.min(root.width, root.maxPanelWidth)
        anchors.horizontalCenter: root.horizontalCenter
        y: 0  // the dock is exactly as tall as the panel (see _fit_height)
    }

    Component.onCompleted: {
        VirtualKeyboardSettings.activeLocales = ["zh_CN", "en_US"]
        VirtualKeyboardSettings.locale = root.locale
    }
}
