<?xml version="1.0" encoding="utf-8"?>
<!DOCTYPE TS>
<TS version="2.1" language="zh_CN" sourcelanguage="en">
<context>
    <name>AttractScreen</name>
    <message>
        <location filename="../screens/attract.py" line="+58"/>
        <source>Self-service tax terminal</source>
        <translation>自助办税终端</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Verify invoices and more. Touch the screen to start.</source>
        <translation>发票查验等业务，请触摸屏幕开始。</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Touch to start</source>
        <translation>触摸屏幕开始</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Start</source>
        <translation>开始</translation>
    </message>
</context>
<context>
    <name>BusyIllustration</name>
    <message>
        <location filename="../widgets/busy.py" line="+152"/>
        <source>Scanning…</source>
        <translation>正在扫描…</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Printing… Take your slip from the printer slot</source>
        <translation>正在打印…请从打印口取走凭条</translation>
    </message>
</context>
<context>
    <name>ConfirmScreen</name>
    <message>
        <location filename="../flow/confirm.py" line="+27"/>
        <source>Please check and confirm</source>
        <translation>请核对后确认</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Confirm</source>
        <translation>确认</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Cancel</source>
        <translation>取消</translation>
    </message>
</context>
<context>
    <name>FormScreen</name>
    <message>
        <location filename="../flow/form.py" line="+34"/>
        <source>Confirm</source>
        <translation>确认</translation>
    </message>
</context>
<context>
    <name>Header</name>
    <message>
        <location filename="../widgets/header.py" line="+178"/>
        <source>Self-service tax terminal</source>
        <translation>自助办税终端</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>Terminal %1</source>
        <translation>终端 %1</translation>
    </message>
</context>
<context>
    <name>HomeScreen</name>
    <message>
        <location filename="../screens/home.py" line="+119"/>
        <source>Choose a service</source>
        <translation>请选择业务</translation>
    </message>
</context>
<context>
    <name>IdleOverlay</name>
    <message>
        <location filename="../widgets/idle_overlay.py" line="+124"/>
        <source>%1 seconds left</source>
        <translation>剩余 %1 秒</translation>
    </message>
    <message>
        <location line="+41"/>
        <source>Session time-out warning</source>
        <translation>操作超时提醒</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Are you still there?</source>
        <translation>您还在吗？</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>seconds</source>
        <translation>秒</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>To protect your privacy, this session will then end and what you entered will be cleared.</source>
        <translation>为保护您的隐私，倒计时结束后将结束本次办理，并清除您输入的信息。</translation>
    </message>
    <message>
        <location line="+3"/>
        <source>Continue</source>
        <translation>继续办理</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Continue, I am still here</source>
        <translation>我还在，继续办理</translation>
    </message>
</context>
<context>
    <name>Illustration</name>
    <message>
        <location filename="../widgets/illustration.py" line="+228"/>
        <source>Hold the QR code over the scanner window below the screen</source>
        <translation>请将二维码对准屏幕下方的扫描窗口</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>Put your ID card flat on the reader pad</source>
        <translation>请将身份证平放在读卡区</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>Take your slip from the printer slot</source>
        <translation>请从打印口取走凭条</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>Take your invoices from the tray</source>
        <translation>请从出票口取走发票</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>Insert your bank card at the bottom of the card terminal, or hold it on the wave mark</source>
        <translation>请将银行卡插入刷卡器底部，或贴近感应标志</translation>
    </message>
</context>
<context>
    <name>InvoiceVerifyFlow</name>
    <message>
        <location filename="../screens/invoice_verify.py" line="+32"/>
        <source>This slip is not known here. Please ask the hall staff.</source>
        <translation>本终端查不到此凭条。请咨询大厅工作人员。</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>The result of this slip is no longer kept at this terminal (results are deleted after a while to protect personal data). Please scan the invoice to check it again.</source>
        <translation>本终端已不再保存此凭条的查验结果（为保护个人信息，结果只保存一段时间）。请扫描发票重新查验。</translation>
    </message>
</context>
<context>
    <name>Keypad</name>
    <message>
        <location filename="../widgets/keypad.py" line="+153"/>
        <source>Number keypad</source>
        <translation>数字键盘</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>Digit %1</source>
        <translation>数字 %1</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Decimal point</source>
        <translation>小数点</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Letter X</source>
        <translation>字母 X</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>Delete</source>
        <translation>删除</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Delete the last character</source>
        <translation>删除最后一位</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>Clear</source>
        <translation>清空</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Clear the whole field</source>
        <translation>清空本栏内容</translation>
    </message>
</context>
<context>
    <name>ListDetailScreen</name>
    <message>
        <location filename="../flow/list_detail.py" line="+27"/>
        <source>Nothing found.</source>
        <translation>没有查到记录。</translation>
    </message>
</context>
<context>
    <name>MainWindow</name>
    <message>
        <location filename="../main_window.py" line="+471"/>
        <source>Self-service tax terminal</source>
        <translation>自助办税终端</translation>
    </message>
    <message>
        <location line="+1"/>
        <location line="+1"/>
        <source>Home</source>
        <translation>首页</translation>
    </message>
    <message>
        <location line="+1"/>
        <location line="+1"/>
        <source>Back</source>
        <translation>返回</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Finish</source>
        <translation>结束办理</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Finish and clear my data</source>
        <translation>结束办理并清除我的信息</translation>
    </message>
    <message>
        <location line="+3"/>
        <source>Switch language</source>
        <translation>切换语言</translation>
    </message>
    <message>
        <location line="+1"/>
        <location line="+1"/>
        <source>Larger text</source>
        <translation>大字</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>High contrast</source>
        <translation>高对比度</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>High contrast colours</source>
        <translation>高对比度配色</translation>
    </message>
</context>
<context>
    <name>MaintenanceScreen</name>
    <message>
        <location filename="../screens/maintenance.py" line="+282"/>
        <source>Syncing…</source>
        <translation>正在同步…</translation>
    </message>
    <message>
        <location line="+50"/>
        <source>Maintenance</source>
        <translation>维护模式</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Queue and sync</source>
        <translation>队列与同步</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Rejected records</source>
        <translation>被拒绝的记录</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Devices</source>
        <translation>设备</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Maintenance details</source>
        <translation>维护详情</translation>
    </message>
    <message>
        <location line="-121"/>
        <location line="+123"/>
        <source>Sync now</source>
        <translation>立即同步</translation>
    </message>
    <message>
        <location line="+0"/>
        <source>Sync the queue now</source>
        <translation>立即同步待上传队列</translation>
    </message>
    <message>
        <location line="-122"/>
        <location line="+123"/>
        <source>Test print</source>
        <translation>测试打印</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Print a test page on the receipt printer</source>
        <translation>在凭条打印机上打印测试页</translation>
    </message>
    <message>
        <location line="-123"/>
        <location line="+124"/>
        <source>Refresh</source>
        <translation>刷新</translation>
    </message>
    <message>
        <location line="+0"/>
        <source>Refresh the figures</source>
        <translation>刷新数据</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Log out</source>
        <translation>退出登录</translation>
    </message>
    <message>
        <location line="+0"/>
        <source>Log out of maintenance mode</source>
        <translation>退出维护模式</translation>
    </message>
    <message>
        <location line="+16"/>
        <source>Signed in: %1 (%2)</source>
        <translation>已登录：%1（%2）</translation>
    </message>
    <message>
        <location line="-128"/>
        <location line="+129"/>
        <source>, </source>
        <translation>、</translation>
    </message>
    <message>
        <location line="-137"/>
        <source>Not for your role</source>
        <translation>您的岗位不可使用</translation>
    </message>
    <message>
        <location line="+5"/>
        <source>The queue figures and devices are not shown to your role.</source>
        <translation>您的岗位不显示队列数据和设备状态。</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>Not for your role: %1.</source>
        <translation>您的岗位不可使用：%1。</translation>
    </message>
    <message>
        <location line="+145"/>
        <source>Waiting to upload: %1</source>
        <translation>待上传：%1</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Oldest waiting: %1</source>
        <translation>最早待上传：%1</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>Uploaded: %1</source>
        <translation>已上传：%1</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Rejected: %1</source>
        <translation>被拒绝：%1</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Never confirmed on screen: %1</source>
        <translation>未在屏幕确认：%1</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Tax service reachable: %1</source>
        <translation>税务服务可连接：%1</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>yes</source>
        <translation>是</translation>
    </message>
    <message>
        <location line="+0"/>
        <source>no</source>
        <translation>否</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Last sync: %1</source>
        <translation>上次同步：%1</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>never</source>
        <translation>从未</translation>
    </message>
    <message>
        <location line="+8"/>
        <source>%1 s</source>
        <translation>%1 秒</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>%1 min</source>
        <translation>%1 分钟</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>%1 h %2 min</source>
        <translation>%1 小时 %2 分钟</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>%1 d %2 h</source>
        <translation>%1 天 %2 小时</translation>
    </message>
    <message>
        <location line="+3"/>
        <source>hall staff</source>
        <translation>大厅工作人员</translation>
    </message>
    <message>
        <location line="+0"/>
        <source>logistics</source>
        <translation>物流</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>technician</source>
        <translation>技术员</translation>
    </message>
    <message>
        <location line="+22"/>
        <source>None</source>
        <translation>无</translation>
    </message>
    <message>
        <location line="+6"/>
        <source>No. %1 · %2 · %3
Reason: %4</source>
        <translation>第 %1 条 · %2 · %3
原因：%4</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>(none given)</source>
        <translation>（未说明）</translation>
    </message>
    <message>
        <location line="+4"/>
        <source>Showing the newest %1 of %2.</source>
        <translation>显示最新的 %1 条，共 %2 条。</translation>
    </message>
    <message>
        <location line="+8"/>
        <source>not connected</source>
        <translation>未连接</translation>
    </message>
    <message>
        <location line="+0"/>
        <source>not reachable</source>
        <translation>无法连接</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>no answer</source>
        <translation>无应答</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>fault</source>
        <translation>故障</translation>
    </message>
    <message>
        <location line="+0"/>
        <source>set up wrongly</source>
        <translation>配置错误</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>out of paper</source>
        <translation>缺纸</translation>
    </message>
    <message>
        <location line="+0"/>
        <source>paper low</source>
        <translation>纸将用尽</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>cover open</source>
        <translation>机盖打开</translation>
    </message>
    <message>
        <location line="+0"/>
        <source>paper jam</source>
        <translation>卡纸</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>no card</source>
        <translation>无卡</translation>
    </message>
    <message>
        <location line="+0"/>
        <source>card removed</source>
        <translation>卡已移走</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>card unreadable</source>
        <translation>无法读卡</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>card not supported</source>
        <translation>不支持此卡</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>out of stock</source>
        <translation>发票已用完</translation>
    </message>
    <message>
        <location line="+0"/>
        <source>stock low</source>
        <translation>发票将用完</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>door open</source>
        <translation>舱门打开</translation>
    </message>
    <message>
        <location line="+0"/>
        <source>garbled reply</source>
        <translation>应答错误</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>input too long</source>
        <translation>输入过长</translation>
    </message>
    <message>
        <location line="+11"/>
        <source>No devices are configured.</source>
        <translation>未配置任何设备。</translation>
    </message>
    <message>
        <location line="+3"/>
        <source>closed</source>
        <translation>已关闭</translation>
    </message>
    <message>
        <location line="+0"/>
        <source>ready</source>
        <translation>就绪</translation>
    </message>
    <message>
        <location line="-23"/>
        <location line="+24"/>
        <source>busy</source>
        <translation>忙</translation>
    </message>
    <message>
        <location line="+0"/>
        <source>error</source>
        <translation>出错</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>offline</source>
        <translation>离线</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Scanner</source>
        <translation>扫描器</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Scanner (keyboard)</source>
        <translation>扫描器（键盘模式）</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Camera scanner</source>
        <translation>摄像头扫描</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Receipt printer</source>
        <translation>凭条打印机</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>ID card reader</source>
        <translation>身份证阅读器</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Payment terminal</source>
        <translation>支付终端</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Invoice dispenser</source>
        <translation>发票发售机</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Staff card reader</source>
        <translation>工作人员读卡器</translation>
    </message>
    <message>
        <location line="+4"/>
        <source>%1 (%2): %3</source>
        <translation>%1（%2）：%3</translation>
    </message>
    <message>
        <location line="+12"/>
        <source>Sync: sent %1, accepted %2, duplicates %3, rejected %4, still waiting %5.</source>
        <translation>同步：已发送 %1，已接受 %2，重复 %3，被拒绝 %4，仍待上传 %5。</translation>
    </message>
    <message>
        <location line="+4"/>
        <source>Stopped: %1</source>
        <translation>已中止：%1</translation>
    </message>
    <message>
        <location line="+4"/>
        <source>Sync failed. See the log for details.</source>
        <translation>同步失败，详情请查看日志。</translation>
    </message>
    <message>
        <location line="+7"/>
        <source>Printing the test page…</source>
        <translation>正在打印测试页…</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Test page printed.</source>
        <translation>测试页已打印。</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>Test page not printed: %1</source>
        <translation>测试页未打印：%1</translation>
    </message>
</context>
<context>
    <name>Messages</name>
    <message>
        <location filename="../messages.py" line="+21"/>
        <source>This QR code cannot be read as an invoice. Please scan the QR code printed on the invoice.</source>
        <translation>无法从此二维码中读出发票信息。请扫描发票上印制的二维码。</translation>
    </message>
    <message>
        <location line="+1"/>
        <location line="+2"/>
        <source>This is not an invoice QR code. Please scan the QR code printed on the invoice.</source>
        <translation>这不是发票二维码。请扫描发票上印制的二维码。</translation>
    </message>
    <message>
        <location line="-1"/>
        <source>This QR code is a web address, not an invoice. Please scan the QR code printed on the invoice.</source>
        <translation>此二维码是网址，不是发票。请扫描发票上印制的二维码。</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>Nothing was scanned. Please try again.</source>
        <translation>未扫描到内容，请重试。</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Only part of the QR code was read. Please hold the invoice still and scan again.</source>
        <translation>二维码只读取到一部分。请拿稳发票，重新扫描。</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>This QR code version is not supported. Please type the invoice details instead.</source>
        <translation>暂不支持此版本的二维码。请改为手工输入发票信息。</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>This invoice type cannot be verified here.</source>
        <translation>本终端不能查验此类发票。</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>The invoice code in the QR code is damaged. Please type the invoice details instead.</source>
        <translation>二维码中的发票代码已损坏。请改为手工输入发票信息。</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>The invoice number in the QR code is damaged. Please type the invoice details instead.</source>
        <translation>二维码中的发票号码已损坏。请改为手工输入发票信息。</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>The amount in the QR code is damaged. Please type the invoice details instead.</source>
        <translation>二维码中的金额已损坏。请改为手工输入发票信息。</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>The date in the QR code is not a real date. Please type the invoice details instead.</source>
        <translation>二维码中的开票日期无效。请改为手工输入发票信息。</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>The check code in the QR code has the wrong length. Please type the invoice details instead.</source>
        <translation>二维码中的校验码位数不对。请改为手工输入发票信息。</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>The QR code is damaged. Please scan again or type the invoice details.</source>
        <translation>二维码已损坏。请重新扫描，或手工输入发票信息。</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>The code on this slip is damaged. Please ask the hall staff for help.</source>
        <translation>此凭条上的二维码已损坏。请向大厅工作人员求助。</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Please fill in this field.</source>
        <translation>请填写此项。</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>The invoice code has 10 or 12 digits.</source>
        <translation>发票代码为 10 位或 12 位数字。</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>This invoice code belongs to another invoice type.</source>
        <translation>此发票代码属于其他发票种类。</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>The invoice number has 8 digits.</source>
        <translation>发票号码为 8 位数字。</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>The invoice number has 20 digits.</source>
        <translation>发票号码为 20 位数字。</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Enter a real date as 8 digits, e.g. 20240514.</source>
        <translation>请输入有效日期，共 8 位数字，例如 20240514。</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Enter the amount in yuan, e.g. 1024.50.</source>
        <translation>请输入以元为单位的金额，例如 1024.50。</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Enter the last 6 digits of the check code.</source>
        <translation>请输入校验码后 6 位。</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Choose the invoice type first.</source>
        <translation>请先选择发票种类。</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>The printer is out of paper. Please ask the hall staff for help.</source>
        <translation>打印机缺纸。请向大厅工作人员求助。</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>The printer paper is running low.</source>
        <translation>打印纸即将用完。</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>The printer cover is open. Please ask the hall staff for help.</source>
        <translation>打印机盖未关好。请向大厅工作人员求助。</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>This terminal has no receipt printer.</source>
        <translation>本终端没有凭条打印机。</translation>
    </message>
    <message>
        <location line="+1"/>
        <location line="+1"/>
        <source>The printer is not responding. Please ask the hall staff for help.</source>
        <translation>打印机无响应。请向大厅工作人员求助。</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>The printer reported a fault. Please ask the hall staff for help.</source>
        <translation>打印机报告故障。请向大厅工作人员求助。</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>The printer paper is jammed. Please ask the hall staff for help.</source>
        <translation>打印机卡纸。请向大厅工作人员求助。</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>The printer is busy. Please try again in a moment.</source>
        <translation>打印机忙，请稍后再试。</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>The printer is not set up correctly. Please ask the hall staff for help.</source>
        <translation>打印机设置有误。请向大厅工作人员求助。</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>The tax service could not accept these details. Please check them and try again.</source>
        <translation>税务系统未能受理这些信息。请核对后重试。</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>The tax service cannot be reached and this terminal has already saved as many requests as it may. Please try again later or ask the hall staff for help.</source>
        <translation>暂时无法连接税务服务，本终端暂存的业务已达上限。请稍后再试，或联系大厅工作人员。</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Something went wrong. Nothing was recorded. Please try again.</source>
        <translation>出现问题，本次操作未被记录。请重试。</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>Enter digits only.</source>
        <translation>请只输入数字。</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Enter letters and digits only.</source>
        <translation>请只输入字母和数字。</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Please choose one of the options.</source>
        <translation>请选择其中一项。</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>This is too long.</source>
        <translation>输入的内容过长。</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>This code cannot be used at this terminal. Please scan an invoice QR code or the QR code on a slip from this system.</source>
        <translation>本终端无法使用此码。请扫描发票上的二维码，或本系统打印的凭条上的二维码。</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>Not available right now: a device it needs is out of order. Please ask the hall staff.</source>
        <translation>暂不可用：所需设备出现故障。请向大厅工作人员求助。</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Not available right now: the tax service cannot be reached. Please try again later.</source>
        <translation>暂不可用：目前无法连接税务系统。请稍后再试。</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Not available at this time of day. Please see the opening hours.</source>
        <translation>当前时段不提供此业务。请留意办理时间。</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Not available right now: its devices have not been checked yet.</source>
        <translation>暂不可用：所需设备尚未完成检测。</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>For the hall staff only.</source>
        <translation>仅限大厅工作人员使用。</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Not available right now. Please ask the hall staff.</source>
        <translation>暂不可用。请向大厅工作人员求助。</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>This card is not a staff card of this terminal.</source>
        <translation>此卡不是本终端的工作人员卡。</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>A PIN is 6 to 8 digits. Please enter it again.</source>
        <translation>密码为 6 至 8 位数字，请重新输入。</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Wrong PIN. Please try again.</source>
        <translation>密码错误，请重试。</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Wrong PIN. Attempts left before the card is locked: %1.</source>
        <translation>密码错误。还可尝试 %1 次，之后此卡将被锁定。</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Too many wrong PINs: this card is locked for now. Please try again later.</source>
        <translation>密码错误次数过多，此卡已被暂时锁定，请稍后再试。</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Too many wrong PINs: this card is locked until %1.</source>
        <translation>密码错误次数过多，此卡已被锁定至 %1。</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Sign-in is not possible right now. Please try again.</source>
        <translation>暂时无法登录，请重试。</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Staff sign-in is locked on this terminal: its record of wrong PINs cannot be read. Please ask a technician.</source>
        <translation>本终端的工作人员登录已锁定：无法读取密码错误记录。请联系技术人员。</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Staff sign-in is locked on this terminal until %1: its record of wrong PINs was damaged.</source>
        <translation>本终端的工作人员登录已锁定至 %1：密码错误记录已损坏。</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Your role may not do this.</source>
        <translation>您的岗位无权执行此操作。</translation>
    </message>
</context>
<context>
    <name>OfflineBanner</name>
    <message>
        <location filename="../widgets/offline_banner.py" line="+97"/>
        <source>Network is back. Uploading saved transactions: %1</source>
        <translation>网络已恢复，正在上传 %1 笔业务</translation>
    </message>
    <message>
        <location line="+3"/>
        <source>Offline since %1. Transactions waiting to upload: %2</source>
        <translation>网络中断：%2 笔业务待上传（自 %1 起）</translation>
    </message>
    <message>
        <location line="+4"/>
        <source>Offline. Transactions waiting to upload: %1</source>
        <translation>网络中断：%1 笔业务待上传</translation>
    </message>
    <message>
        <location line="+3"/>
        <source>Offline since %1. Some services are unavailable.</source>
        <translation>网络中断（自 %1 起），部分业务暂不可用</translation>
    </message>
    <message>
        <location line="+3"/>
        <source>Offline. Some services are unavailable.</source>
        <translation>网络中断，部分业务暂不可用</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>The offline limit is reached: no more requests can be saved until the network is back.</source>
        <translation>离线暂存已达上限：网络恢复前无法再受理需暂存的业务。</translation>
    </message>
    <message>
        <location line="+5"/>
        <source>The offline limit is nearly reached: soon no more requests can be saved.</source>
        <translation>离线暂存即将达到上限，稍后将无法再受理需暂存的业务。</translation>
    </message>
</context>
<context>
    <name>OutcomeScreen</name>
    <message>
        <location filename="../flow/outcome.py" line="+33"/>
        <source>Printing…</source>
        <translation>正在打印…</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Slip printed. Please take it.</source>
        <translation>凭条已打印，请取走。</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Print a slip</source>
        <translation>打印凭条</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Result</source>
        <translation>办理结果</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Start again</source>
        <translation>重新办理</translation>
    </message>
</context>
<context>
    <name>QueuedScreen</name>
    <message>
        <location filename="../flow/notice.py" line="+26"/>
        <source>Reference: %1</source>
        <translation>受理编号：%1</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Printing your slip…</source>
        <translation>正在打印凭条…</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Your slip has been printed. Please take it.</source>
        <translation>凭条已打印，请取走。</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Please write down the reference above.</source>
        <translation>请记下上面的受理编号。</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Request accepted</source>
        <translation>申请已受理</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Start again</source>
        <translation>重新办理</translation>
    </message>
</context>
<context>
    <name>StaffPinScreen</name>
    <message>
        <location filename="../screens/staff.py" line="+89"/>
        <source>Staff sign-in</source>
        <translation>工作人员登录</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>Enter your PIN (6 to 8 digits) on the keypad, then tap Sign in. The card locks after too many wrong PINs.</source>
        <translation>请用数字键盘输入密码（6 至 8 位），然后点击“登录”。密码错误次数过多时此卡将被锁定。</translation>
    </message>
    <message>
        <location line="+2"/>
        <location line="+1"/>
        <source>PIN</source>
        <translation>密码</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Cancel</source>
        <translation>取消</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Cancel and go back</source>
        <translation>取消并返回</translation>
    </message>
    <message>
        <location line="+1"/>
        <location line="+1"/>
        <source>Sign in</source>
        <translation>登录</translation>
    </message>
    <message>
        <location line="+44"/>
        <source>Checking the PIN…</source>
        <translation>正在验证密码…</translation>
    </message>
</context>
<context>
    <name>VerifyManualScreen</name>
    <message>
        <location filename="../screens/invoice_verify.py" line="+123"/>
        <source>Type the invoice details</source>
        <translation>手工输入发票信息</translation>
    </message>
    <message>
        <location line="+3"/>
        <source>Invoice type:</source>
        <translation>发票种类：</translation>
    </message>
    <message>
        <location line="+15"/>
        <source>Verify</source>
        <translation>查验</translation>
    </message>
</context>
<context>
    <name>VerifyPendingScreen</name>
    <message>
        <location line="+60"/>
        <source>The result is not back yet</source>
        <translation>查验结果尚未返回</translation>
    </message>
    <message>
        <location line="+4"/>
        <source>Your request is saved and will be checked as soon as the network is back. Please scan the slip again later.</source>
        <translation>您的查验申请已保存，网络恢复后将立即查验。请稍后再扫描凭条查看结果。</translation>
    </message>
    <message>
        <location line="+4"/>
        <source>Verify another invoice</source>
        <translation>查验其他发票</translation>
    </message>
</context>
<context>
    <name>VerifyQueuedScreen</name>
    <message>
        <location line="-24"/>
        <source>Request accepted</source>
        <translation>申请已受理</translation>
    </message>
    <message>
        <location line="+4"/>
        <source>The tax service cannot be reached right now, so your request has been saved on this terminal. It will be checked automatically when the network is back. Scan the QR code on your slip at any terminal to see the result.</source>
        <translation>目前无法连接税务系统，您的申请已保存在本终端，网络恢复后将自动查验。在任一终端扫描凭条上的二维码即可查看结果。</translation>
    </message>
    <message>
        <location line="+5"/>
        <source>Verify another invoice</source>
        <translation>查验其他发票</translation>
    </message>
</context>
<context>
    <name>VerifyResultScreen</name>
    <message>
        <location line="-36"/>
        <source>Verification result</source>
        <translation>查验结果</translation>
    </message>
    <message>
        <location line="+14"/>
        <source>Print a slip</source>
        <translation>打印凭条</translation>
    </message>
    <message>
        <location line="-3"/>
        <source>Verify another invoice</source>
        <translation>查验其他发票</translation>
    </message>
    <message>
        <location line="-4"/>
        <source>Warning: the QR code&apos;s check digits do not match. It may be damaged or altered; the invoice was checked anyway.</source>
        <translation>注意：二维码的校验位不一致，二维码可能已损坏或被改动；仍已按其内容查验发票。</translation>
    </message>
</context>
<context>
    <name>VerifyScanScreen</name>
    <message>
        <location line="-85"/>
        <source>Checking, please wait…</source>
        <translation>正在查验，请稍候…</translation>
    </message>
    <message>
        <location line="-5"/>
        <source>Invoice verification</source>
        <translation>发票查验</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>Hold the QR code on the invoice under the scanner. To see the result of an earlier request, scan the QR code on its slip.</source>
        <translation>请将发票上的二维码对准扫描器。如需查看之前申请的结果，请扫描凭条上的二维码。</translation>
    </message>
    <message>
        <location line="+13"/>
        <source>No QR code? Type the invoice details</source>
        <translation>没有二维码？手工输入发票信息</translation>
    </message>
    <message>
        <location line="-3"/>
        <source>The scanner is not available; please type the invoice details</source>
        <translation>扫描器暂不可用，请手工输入</translation>
    </message>
</context>
</TS>
