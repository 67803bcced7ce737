<?xml version="1.0" encoding="utf-8"?>
<!DOCTYPE TS>
<TS version="2.1" language="zh_CN">
<context>
    <name>ChartsPanel</name>
    <message>
        <source>1 min</source>
        <translation>1 分钟</translation>
    </message>
    <message>
        <source>5 min</source>
        <translation>5 分钟</translation>
    </message>
    <message>
        <source>1 h</source>
        <translation>1 小时</translation>
    </message>
    <message>
        <source>Bandwidth</source>
        <translation>带宽</translation>
    </message>
    <message>
        <source>rate</source>
        <translation>速率</translation>
    </message>
    <message>
        <source>received</source>
        <translation>接收</translation>
    </message>
    <message>
        <source>sent</source>
        <translation>发送</translation>
    </message>
    <message>
        <source>UDP in</source>
        <translation>UDP 入</translation>
    </message>
    <message>
        <source>UDP out</source>
        <translation>UDP 出</translation>
    </message>
    <message>
        <source>Round-trip time</source>
        <translation>往返时间</translation>
    </message>
    <message>
        <source>smoothed RTT</source>
        <translation>平滑 RTT</translation>
    </message>
    <message>
        <source>RTO</source>
        <translation>RTO</translation>
    </message>
    <message>
        <source>Retransmits</source>
        <translation>重传</translation>
    </message>
    <message>
        <source>segments</source>
        <translation>分段</translation>
    </message>
    <message>
        <source>all</source>
        <translation>全部</translation>
    </message>
    <message>
        <source>fast</source>
        <translation>快速</translation>
    </message>
    <message>
        <source>early</source>
        <translation>提前</translation>
    </message>
    <message>
        <source>lost (timeout)</source>
        <translation>丢失（超时）</translation>
    </message>
    <message>
        <source>Forward error correction</source>
        <translation>前向纠错</translation>
    </message>
    <message>
        <source>shards</source>
        <translation>分片</translation>
    </message>
    <message>
        <source>FEC parity in</source>
        <translation>FEC 校验入</translation>
    </message>
    <message>
        <source>recovered</source>
        <translation>已恢复</translation>
    </message>
    <message>
        <source>errors</source>
        <translation>错误</translation>
    </message>
    <message>
        <source>Start a profile to see its charts.</source>
        <translation>启动一个配置即可看到它的图表。</translation>
    </message>
    <message>
        <source>How much history the charts show (up to 1 h is recorded)</source>
        <translation>图表显示多长时间的历史（最多记录 1 小时）</translation>
    </message>
    <message>
        <source>Export CSV…</source>
        <translation>导出 CSV…</translation>
    </message>
    <message>
        <source>Save every recorded sample of this profile as CSV</source>
        <translation>把此配置记录的全部采样保存为 CSV</translation>
    </message>
    <message>
        <source>Span</source>
        <translation>时间跨度</translation>
    </message>
    <message>
        <source>{name}: not running. Start it to see its charts.</source>
        <translation>{name}：未运行。启动后即可看到图表。</translation>
    </message>
    <message>
        <source>{name}: live, one sample every 0.5 s</source>
        <translation>{name}：实时，每 0.5 秒采样一次</translation>
    </message>
    <message>
        <source>{name}: stopped; last recorded data, one sample every 0.5 s</source>
        <translation>{name}：已停止；显示最后记录的数据，每 0.5 秒一个采样</translation>
    </message>
    <message>
        <source>Export chart data</source>
        <translation>导出图表数据</translation>
    </message>
    <message>
        <source>CSV files (*.csv)</source>
        <translation>CSV 文件 (*.csv)</translation>
    </message>
    <message>
        <source>Export failed: {error}</source>
        <translation>导出失败：{error}</translation>
    </message>
</context>
<context>
    <name>CloseDialog</name>
    <message>
        <source>Tunnels are running</source>
        <translation>隧道正在运行</translation>
    </message>
    <message>
        <source>Running now: %1</source>
        <translation>正在运行：%1</translation>
    </message>
    <message>
        <source>No tunnel is running.</source>
        <translation>没有正在运行的隧道。</translation>
    </message>
    <message>
        <source>Keep them running in the tray, or stop them and quit? Connections through them are cut when they stop.</source>
        <translation>让它们在托盘中继续运行，还是停止并退出？停止后经过它们的连接会断开。</translation>
    </message>
    <message>
        <source>Stop them and quit? Connections through them are cut.</source>
        <translation>停止它们并退出？经过它们的连接会断开。</translation>
    </message>
    <message>
        <source>Keep running in the tray</source>
        <translation>在托盘中继续运行</translation>
    </message>
    <message>
        <source>Stop tunnels and quit</source>
        <translation>停止隧道并退出</translation>
    </message>
    <message>
        <source>Remember my choice (Settings → When closing)</source>
        <translation>记住我的选择（设置 → 关闭时）</translation>
    </message>
</context>
<context>
    <name>CoreText</name>
    <message>
        <source>must be at least {low}{unit}, not {value}{why}</source>
        <translation>必须至少为 {low}{unit}，而不是 {value}{why}</translation>
    </message>
    <message>
        <source>must be {low}..{high}{unit}, not {value}{why}</source>
        <translation>必须为 {low}..{high}{unit}，而不是 {value}{why}</translation>
    </message>
    <message>
        <source>unknown cipher {value} (kcptun would silently use aes); valid: {valid}</source>
        <translation>未知的加密方式 {value}（kcptun 会默默改用 aes）；可用：{valid}</translation>
    </message>
    <message>
        <source>unknown mode {value} (kcptun treats it as manual); valid: {valid}</source>
        <translation>未知的模式 {value}（kcptun 会当作 manual）；可用：{valid}</translation>
    </message>
    <message>
        <source>datashard + parityshard must be &lt;= {max} (Reed-Solomon over GF(2^8))</source>
        <translation>datashard + parityshard 必须 &lt;= {max}（GF(2^8) 上的 Reed-Solomon）</translation>
    </message>
    <message>
        <source>must not exceed smuxbuf (smux refuses the session)</source>
        <translation>不能超过 smuxbuf（否则 smux 拒绝会话）</translation>
    </message>
    <message>
        <source>must be larger than the {bytes} header bytes (KCP + crypt + FEC)</source>
        <translation>必须大于 {bytes} 字节的包头（KCP + 加密 + FEC）</translation>
    </message>
    <message>
        <source>raw-socket TCP emulation (--tcp) is not supported</source>
        <translation>不支持原始套接字 TCP 模拟（--tcp）</translation>
    </message>
    <message>
        <source>unknown peer {value}; valid: {valid}</source>
        <translation>未知的对端 {value}；可用：{valid}</translation>
    </message>
    <message>
        <source>must be 0 (no limit) or at least one datagram per second (mtu {mtu} bytes/s), not {value}</source>
        <translation>必须为 0（不限速）或至少每秒一个数据报（mtu {mtu} bytes/s），而不是 {value}</translation>
    </message>
    <message>
        <source>empty target (expected host:port or a unix socket path)</source>
        <translation>目标地址为空（应为 host:port 或 unix 套接字路径）</translation>
    </message>
    <message>
        <source>address {value}: port 0 cannot be dialled</source>
        <translation>地址 {value}：无法连接端口 0</translation>
    </message>
    <message>
        <source>address {value}: port {port} is not a number</source>
        <translation>地址 {value}：端口 {port} 不是数字</translation>
    </message>
    <message>
        <source>address {value}: port {port} is out of range 0..65535</source>
        <translation>地址 {value}：端口 {port} 超出 0..65535 范围</translation>
    </message>
    <message>
        <source>address {value}: ports of a range must be 1..65535</source>
        <translation>地址 {value}：端口范围中的端口必须在 1..65535 之间</translation>
    </message>
    <message>
        <source>not an IPv4 address (four numbers 0..255 joined by dots)</source>
        <translation>不是 IPv4 地址（应为以点分隔的四个 0..255 的数字）</translation>
    </message>
    <message>
        <source>not an IPv4 address: {part} is above {max}</source>
        <translation>不是 IPv4 地址：{part} 大于 {max}</translation>
    </message>
    <message>
        <source>not an IPv4 address: write {good}, not {bad}</source>
        <translation>不是 IPv4 地址：请写 {good}，而不是 {bad}</translation>
    </message>
    <message>
        <source>empty zone after &apos;%&apos; (e.g. fe80::1%eth0)</source>
        <translation>&apos;%&apos; 后的区域为空（例如 fe80::1%eth0）</translation>
    </message>
    <message>
        <source>{addr} is not an IPv6 address</source>
        <translation>{addr} 不是 IPv6 地址</translation>
    </message>
    <message>
        <source>not a valid host name</source>
        <translation>不是有效的主机名</translation>
    </message>
    <message>
        <source>write the international name {host} in its ASCII form: {ascii}</source>
        <translation>请将国际化域名 {host} 写成 ASCII 形式：{ascii}</translation>
    </message>
    <message>
        <source>host name is {n} characters long, more than {max}</source>
        <translation>主机名长 {n} 个字符，超过了 {max}</translation>
    </message>
    <message>
        <source>empty part between dots in the host name</source>
        <translation>主机名中两个点之间为空</translation>
    </message>
    <message>
        <source>the part {part}... of the host name has more than {max} characters</source>
        <translation>主机名中的 {part}... 部分超过 {max} 个字符</translation>
    </message>
    <message>
        <source>not a host name: character {char}</source>
        <translation>不是主机名：字符 {char}</translation>
    </message>
    <message>
        <source>not a host name: &apos;-&apos; at the start or end of a part</source>
        <translation>不是主机名：某一部分以 &apos;-&apos; 开头或结尾</translation>
    </message>
    <message>
        <source>empty key: enter the key the other end uses (or generate one for both)</source>
        <translation>密钥为空：请输入另一端使用的密钥（或生成一个供两端使用）</translation>
    </message>
    <message>
        <source>kcptun&apos;s published default key: anyone who knows kcptun can use this tunnel. Use your own key at both ends.</source>
        <translation>这是 kcptun 公开的默认密钥：任何了解 kcptun 的人都能使用这条隧道。请在两端使用你自己的密钥。</translation>
    </message>
    <message>
        <source>FEC is off: kcptun uses FEC only when both shards are above 0 (parityshard {ps} is ignored). Set parityshard 0 too, or datashard above 0.</source>
        <translation>FEC 已关闭：只有两种分片数都大于 0 时 kcptun 才使用 FEC（parityshard {ps} 被忽略）。请把 parityshard 也设为 0，或把 datashard 设为大于 0。</translation>
    </message>
    <message>
        <source>address {value}: {what}</source>
        <translation>地址 {value}：{what}</translation>
    </message>
    <message>
        <source>a profile needs a name</source>
        <translation>配置需要一个名称</translation>
    </message>
    <message>
        <source>no spaces at the start or end</source>
        <translation>开头和结尾不能有空格</translation>
    </message>
    <message>
        <source>at most {max} characters</source>
        <translation>最多 {max} 个字符</translation>
    </message>
    <message>
        <source>no control characters (tabs, line breaks)</source>
        <translation>不能包含控制字符（制表符、换行）</translation>
    </message>
    <message>
        <source>a profile named {name} already exists</source>
        <translation>已存在名为 {name} 的配置</translation>
    </message>
    <message>
        <source>not valid JSON ({detail})</source>
        <translation>不是有效的 JSON（{detail}）</translation>
    </message>
    <message>
        <source>a kcptun config is a JSON object</source>
        <translation>kcptun 配置必须是一个 JSON 对象</translation>
    </message>
    <message>
        <source>cannot tell whether this is a client or a server config (no localaddr/remoteaddr or listen/target keys)</source>
        <translation>无法判断这是客户端还是服务端的配置（没有 localaddr/remoteaddr 或 listen/target 键）</translation>
    </message>
    <message>
        <source>cannot split the command line: {detail}</source>
        <translation>无法拆分命令行：{detail}</translation>
    </message>
    <message>
        <source>the command must start with kcptun-client or kcptun-server (or &apos;kcpdesk client&apos; / &apos;kcpdesk server&apos;)</source>
        <translation>命令必须以 kcptun-client 或 kcptun-server 开头（或 &apos;kcpdesk client&apos; / &apos;kcpdesk server&apos;）</translation>
    </message>
    <message>
        <source>unexpected argument {arg} (kcptun stops reading flags there)</source>
        <translation>意外的参数 {arg}（kcptun 在这里停止读取参数）</translation>
    </message>
    <message>
        <source>flag provided but not defined: {flag}</source>
        <translation>未定义的参数：{flag}</translation>
    </message>
    <message>
        <source>flag needs an argument: {flag}</source>
        <translation>参数缺少值：{flag}</translation>
    </message>
    <message>
        <source>bad flag syntax: {flag}</source>
        <translation>参数格式错误：{flag}</translation>
    </message>
    <message>
        <source>share links describe a client (the server address to dial)</source>
        <translation>分享链接描述的是客户端（要连接的服务器地址）</translation>
    </message>
    <message>
        <source>{what} is not valid base64</source>
        <translation>{what}不是有效的 base64</translation>
    </message>
    <message>
        <source>{what} is not valid base64 (its length is off by one character: the link may be cut short)</source>
        <translation>{what}不是有效的 base64（长度差一个字符：链接可能不完整）</translation>
    </message>
    <message>
        <source>{what} does not decode to text (wrong base64?)</source>
        <translation>{what}解码后不是文本（base64 有误？）</translation>
    </message>
    <message>
        <source>line {line} column {col}: {what}</source>
        <translation>第 {line} 行第 {col} 列：{what}</translation>
    </message>
    <message>
        <source>smux: no frame from the peer in {s} s (keepalive timeout)</source>
        <translation>smux：{s} 秒内没有收到对端的帧（心跳超时）</translation>
    </message>
    <message>
        <source>smux: frame version {a}, expected {b}</source>
        <translation>smux：帧版本为 {a}，应为 {b}</translation>
    </message>
    <message>
        <source>smux: invalid command {c}</source>
        <translation>smux：无效的命令 {c}</translation>
    </message>
    <message>
        <source>{where}: ignoring {n} unknown keys ({keys}): not kcptun-{role} settings KCP Desk knows (a newer kcptun&apos;s, or a typo); the tunnel runs without them</source>
        <translation>{where}：忽略 {n} 个未知的键（{keys}）：不是 KCP Desk 认识的 kcptun-{role} 设置（来自新版 kcptun，或拼写错误）；隧道不使用它们运行</translation>
    </message>
    <message>
        <source>unknown crypt {value}, using {default} as kcptun does (valid: {valid})</source>
        <translation>未知的加密方式 {value}，和 kcptun 一样改用 {default}（可用：{valid}）</translation>
    </message>
    <message>
        <source>unknown mode {value}, treating it as manual as kcptun does (valid: {valid})</source>
        <translation>未知的模式 {value}，和 kcptun 一样当作 manual（可用：{valid}）</translation>
    </message>
    <message>
        <source>--pprof does nothing here (there is no Go profiler in Python)</source>
        <translation>--pprof 在这里不起作用（Python 中没有 Go 的性能分析器）</translation>
    </message>
    <message>
        <source>{flags} exist only in kcptun 2025+: taking the other end to be kcptun 2025+ ({note}); --peer kcptun-2021 keeps the old defaults</source>
        <translation>{flags} 只有 kcptun 2025+ 才有：认为另一端是 kcptun 2025+（{note}）；--peer kcptun-2021 可保留旧的默认值</translation>
    </message>
    <message>
        <source>{flags} exist only in kcptun 2025+: taking the other end to be kcptun 2025+; --peer kcptun-2021 keeps the old defaults</source>
        <translation>{flags} 只有 kcptun 2025+ 才有：认为另一端是 kcptun 2025+；--peer kcptun-2021 可保留旧的默认值</translation>
    </message>
    <message>
        <source>the link is cut short: its settings do not end with &apos;;&apos;</source>
        <translation>链接不完整：设置部分没有以 &apos;;&apos; 结尾</translation>
    </message>
    <message>
        <source>; {why}</source>
        <translation>；{why}</translation>
    </message>
</context>
<context>
    <name>DemoController</name>
    <message>
        <source>Demo server</source>
        <translation>演示服务端</translation>
    </message>
    <message>
        <source>Demo client</source>
        <translation>演示客户端</translation>
    </message>
    <message>
        <source>did not start</source>
        <translation>未能启动</translation>
    </message>
</context>
<context>
    <name>DemoPanel</name>
    <message>
        <source>as fast as possible</source>
        <translation>尽可能快</translation>
    </message>
    <message>
        <source>Demo link</source>
        <translation>演示链路</translation>
    </message>
    <message>
        <source>A relay on this machine between the demo client and server drops and delays packets like a poor Internet path. Change it while it runs.</source>
        <translation>本机上的一个中继位于演示客户端和服务端之间，像糟糕的互联网线路一样丢弃和延迟数据包。运行时可随时调整。</translation>
    </message>
    <message>
        <source>Loss</source>
        <translation>丢包</translation>
    </message>
    <message>
        <source>Share of datagrams the relay drops, each direction</source>
        <translation>中继丢弃的数据报比例（每个方向）</translation>
    </message>
    <message>
        <source>Delay</source>
        <translation>延迟</translation>
    </message>
    <message>
        <source>One-way delay added by the relay (RTT is twice this)</source>
        <translation>中继增加的单向延迟（RTT 是它的两倍）</translation>
    </message>
    <message>
        <source>Jitter</source>
        <translation>抖动</translation>
    </message>
    <message>
        <source>Random extra delay per packet; it also reorders packets</source>
        <translation>每个包随机增加的延迟；也会打乱包的顺序</translation>
    </message>
    <message>
        <source>Traffic</source>
        <translation>流量</translation>
    </message>
    <message>
        <source>What the traffic generator offers (echoed back, so both directions carry it)</source>
        <translation>流量生成器发送的速率（会被回显，所以两个方向都有）</translation>
    </message>
    <message>
        <source>Stop demo</source>
        <translation>停止演示</translation>
    </message>
    <message>
        <source>relay: {datagrams} datagrams, {dropped} dropped; echoed {echoed}</source>
        <translation>中继：{datagrams} 个数据报，丢弃 {dropped} 个；已回显 {echoed}</translation>
    </message>
</context>
<context>
    <name>DeskController</name>
    <message>
        <source>New client</source>
        <translation>新客户端</translation>
    </message>
    <message>
        <source>New server</source>
        <translation>新服务端</translation>
    </message>
    <message>
        <source>demo profiles are not saved: use Profile → Duplicate to keep a copy</source>
        <translation>演示配置不会保存：用“配置 → 复制”保留一份</translation>
    </message>
    <message>
        <source>could not write the profile: {error}</source>
        <translation>无法写入配置：{error}</translation>
    </message>
    <message>
        <source>Saved.</source>
        <translation>已保存。</translation>
    </message>
</context>
<context>
    <name>Diagnostics</name>
    <message>
        <source>Collecting data</source>
        <translation>正在收集数据</translation>
    </message>
    <message>
        <source>Diagnostics appear after a few seconds of running.</source>
        <translation>运行几秒后显示诊断信息。</translation>
    </message>
    <message>
        <source>Packets arrive but fail the checksum ({count} in {seconds} s)</source>
        <translation>收到的包校验失败（{seconds} 秒内 {count} 个）</translation>
    </message>
    <message>
        <source>The {other} uses a different key or cipher (crypt). Make both ends match: export this profile for the other end to get a config that agrees.</source>
        <translation>{other}使用了不同的密钥或加密方式（crypt）。请让两端一致：为另一端导出此配置，即可得到匹配的配置。</translation>
    </message>
    <message>
        <source>A client stopped answering</source>
        <translation>有客户端不再应答</translation>
    </message>
    <message>
        <source>{count} packets went out in {seconds} s and none came back: the client went away (closed, asleep, another network). Its session ends by itself.</source>
        <translation>{seconds} 秒内发出 {count} 个包，没有任何回应：客户端已离开（关闭、休眠或换了网络）。它的会话会自行结束。</translation>
    </message>
    <message>
        <source>Nothing is coming back from the {other} at {peer}</source>
        <translation>{peer} 上的{other}没有任何回应</translation>
    </message>
    <message>
        <source>Nothing is coming back from the {other}</source>
        <translation>{other}没有任何回应</translation>
    </message>
    <message>
        <source>{count} packets went out in {seconds} s and none arrived. Check that the {other} is running and the address and port are right, that no firewall drops UDP on that port, and that the key and crypt match (a mismatched end drops everything it gets).</source>
        <translation>{seconds} 秒内发出 {count} 个包，一个也没有收到。请检查{other}是否在运行、地址和端口是否正确、是否有防火墙丢弃该端口的 UDP，以及 key 和 crypt 是否一致（不匹配的一端会丢弃收到的所有包）。</translation>
    </message>
    <message>
        <source>The session was opened {count} times in {seconds} s</source>
        <translation>{seconds} 秒内会话被打开了 {count} 次</translation>
    </message>
    <message>
        <source>It dies right after it starts. Compression (nocomp) or the smux version (smuxver) probably differ between the ends; make them equal.</source>
        <translation>会话刚建立就断开。两端的压缩（nocomp）或 smux 版本（smuxver）可能不同；请设为一致。</translation>
    </message>
    <message>
        <source>FEC errors and no recoveries ({count} errors)</source>
        <translation>FEC 出错且没有恢复（{count} 个错误）</translation>
    </message>
    <message>
        <source>Forward error correction cannot rebuild anything: datashard and parityshard probably differ between the ends. Set the same values on both.</source>
        <translation>前向纠错无法恢复任何数据：两端的 datashard 和 parityshard 可能不同。请在两端设置相同的值。</translation>
    </message>
    <message>
        <source>Waiting for the server&apos;s first reply</source>
        <translation>正在等待服务端的第一个回应</translation>
    </message>
    <message>
        <source>{count} packets went out in {seconds} s; none came back yet.</source>
        <translation>{seconds} 秒内发出 {count} 个包；还没有收到回应。</translation>
    </message>
    <message>
        <source>The link looks healthy</source>
        <translation>链路状况良好</translation>
    </message>
    <message>
        <source>{rate_in} packets/s in, {rate_out} packets/s out, {share} of segments retransmitted.</source>
        <translation>每秒收 {rate_in} 个包、发 {rate_out} 个包，{share} 的分段被重传。</translation>
    </message>
    <message>
        <source>Idle: keepalives only</source>
        <translation>空闲：只有心跳</translation>
    </message>
    <message>
        <source>The session is open and answers; no application data is moving.</source>
        <translation>会话已打开并有应答；没有应用数据在传输。</translation>
    </message>
    <message>
        <source>Connect an application to the local address to open a session.</source>
        <translation>让应用连接本地地址即可打开会话。</translation>
    </message>
    <message>
        <source>Waiting for a client.</source>
        <translation>正在等待客户端。</translation>
    </message>
    <message>
        <source>Idle: no packets</source>
        <translation>空闲：没有数据包</translation>
    </message>
    <message>
        <source>turning FEC on (for example datashard 10, parityshard 3)</source>
        <translation>开启 FEC（例如 datashard 10、parityshard 3）</translation>
    </message>
    <message>
        <source>more parity shards (parityshard {count})</source>
        <translation>增加校验分片（parityshard {count}）</translation>
    </message>
    <message>
        <source>Most were timeouts (LostSegs): packets are being lost. A faster mode ({modes}) retransmits sooner, and {parity} repairs losses without waiting.</source>
        <translation>大多是超时重传（LostSegs）：有数据包在丢失。更快的模式（{modes}）会更早重传，而{parity}可以不等待就修复丢包。</translation>
    </message>
    <message>
        <source>Most were timeouts (LostSegs): packets are being lost. The mode ({mode}) already retransmits as soon as kcptun can; {parity} repairs losses without waiting.</source>
        <translation>大多是超时重传（LostSegs）：有数据包在丢失。当前模式（{mode}）已经是 kcptun 能做到的最早重传；{parity}可以不等待就修复丢包。</translation>
    </message>
    <message>
        <source>Most were timeouts (LostSegs): packets are being lost. A lower interval or nodelay 1 retransmits sooner, and {parity} repairs losses without waiting.</source>
        <translation>大多是超时重传（LostSegs）：有数据包在丢失。更小的 interval 或 nodelay 1 会更早重传，而{parity}可以不等待就修复丢包。</translation>
    </message>
    <message>
        <source> or </source>
        <translation> 或 </translation>
    </message>
    <message>
        <source>smaller windows send less</source>
        <translation>更小的窗口会少发一些</translation>
    </message>
    <message>
        <source>the &apos;normal&apos; mode or smaller windows send less</source>
        <translation>&apos;normal&apos; 模式或更小的窗口会少发一些</translation>
    </message>
    <message>
        <source>Most were fast retransmits: packets are lost or reordered. {parity} repairs them without resending; if the link is simply congested, {calmer}.</source>
        <translation>大多是快速重传：数据包丢失或乱序。{parity}可以不重发就修复；如果只是链路拥塞，{calmer}。</translation>
    </message>
    <message>
        <source>Heavy retransmits: {share} of segments sent again</source>
        <translation>重传严重：{share} 的分段被再次发送</translation>
    </message>
    <message>
        <source>The send window is full</source>
        <translation>发送窗口已满</translation>
    </message>
    <message>
        <source>Throughput is capped at about sndwnd x MTU per RTT ({rtt} ms). Raise sndwnd here and rcvwnd on the other end for more speed on this link.</source>
        <translation>吞吐量被限制在每个 RTT（{rtt} ms）约 sndwnd x MTU。要在这条链路上更快，请调大本端的 sndwnd 和另一端的 rcvwnd。</translation>
    </message>
    <message>
        <source>The other end&apos;s receive window is full</source>
        <translation>对端的接收窗口已满</translation>
    </message>
    <message>
        <source>The receiver is not keeping up, or its rcvwnd is small: raise rcvwnd there.</source>
        <translation>接收方处理不过来，或者它的 rcvwnd 太小：请在那一端调大 rcvwnd。</translation>
    </message>
    <message>
        <source>this end</source>
        <translation>本端</translation>
    </message>
    <message>
        <source>the {other}</source>
        <translation>{other}</translation>
    </message>
    <message>
        <source>kcptun v20251205 and later use smux v2 by default, older kcptun (Debian&apos;s 20210922) v1; {newer} follows the newer default. Set Peer in this profile to what the {other} runs, or give both ends the same smux version.</source>
        <translation>kcptun v20251205 及以后默认使用 smux v2，旧版 kcptun（Debian 的 20210922）默认 v1；{newer}用的是新默认值。请在此配置的“对端版本”中选择{other}运行的版本，或让两端使用相同的 smux 版本。</translation>
    </message>
    <message>
        <source> A client tries the other version once by itself and keeps it if it works.</source>
        <translation>客户端会自动尝试一次另一个版本，可用就保留。</translation>
    </message>
    <message>
        <source>The {other} runs another kcptun generation (smux v{theirs}, this end v{ours})</source>
        <translation>{other}运行的是另一代 kcptun（smux v{theirs}，本端 v{ours}）</translation>
    </message>
    <message>
        <source>server</source>
        <translation>服务端</translation>
    </message>
    <message>
        <source>client</source>
        <translation>客户端</translation>
    </message>
</context>
<context>
    <name>DiagnosticsView</name>
    <message>
        <source>Diagnostics appear here while the profile runs.</source>
        <translation>配置运行时，诊断信息显示在这里。</translation>
    </message>
</context>
<context>
    <name>ExportDialog</name>
    <message>
        <source>Export {name}</source>
        <translation>导出 {name}</translation>
    </message>
    <message>
        <source>The other end (the {other} that matches this profile)</source>
        <translation>另一端（与此配置匹配的{other}）</translation>
    </message>
    <message>
        <source>This {role}</source>
        <translation>本{role}</translation>
    </message>
    <message>
        <source>For</source>
        <translation>用于</translation>
    </message>
    <message>
        <source>Command line (kcptun)</source>
        <translation>命令行（kcptun）</translation>
    </message>
    <message>
        <source>Command line (kcpdesk)</source>
        <translation>命令行（kcpdesk）</translation>
    </message>
    <message>
        <source>kcptun JSON config (-c file)</source>
        <translation>kcptun JSON 配置文件（-c）</translation>
    </message>
    <message>
        <source>Format</source>
        <translation>格式</translation>
    </message>
    <message>
        <source>host:port, e.g. {example} for SSH</source>
        <translation>host:port，例如 SSH 用 {example}</translation>
    </message>
    <message>
        <source>Server&apos;s target</source>
        <translation>服务端的目标地址</translation>
    </message>
    <message>
        <source>Where the server delivers the tunnelled streams: the service your applications reach through the tunnel (host:port as seen from the server, or a unix socket path)</source>
        <translation>服务端把隧道中的流转发到哪里：你的应用通过隧道访问的服务（从服务端看到的 host:port，或 unix 套接字路径）</translation>
    </message>
    <message>
        <source>Server address</source>
        <translation>服务器地址</translation>
    </message>
    <message>
        <source>The host:port clients use to reach this server (its public address)</source>
        <translation>客户端访问此服务端所用的 host:port（它的公网地址）</translation>
    </message>
    <message>
        <source>Copy</source>
        <translation>复制</translation>
    </message>
    <message>
        <source>Save to file…</source>
        <translation>保存到文件…</translation>
    </message>
    <message>
        <source>Close</source>
        <translation>关闭</translation>
    </message>
    <message>
        <source>enter where the server delivers the streams, e.g. {example} for an SSH server on the server&apos;s machine</source>
        <translation>请输入服务端把流转发到哪里，例如服务端本机上的 SSH 服务用 {example}</translation>
    </message>
    <message>
        <source>enter the address clients use to reach this server</source>
        <translation>请输入客户端访问此服务端所用的地址</translation>
    </message>
    <message>
        <source>This profile uses kcptun&apos;s public default key: anyone can connect. Set your own key before using it on the Internet.</source>
        <translation>此配置使用 kcptun 公开的默认密钥：任何人都能连接。在互联网上使用前请设置自己的密钥。</translation>
    </message>
    <message>
        <source>The text contains the key: share it only over a channel you trust.</source>
        <translation>文本中包含密钥：只通过可信的渠道分享。</translation>
    </message>
    <message>
        <source>{peer} has no {flags}: left out, so those settings apply only to the KCP Desk end.</source>
        <translation>{peer} 没有 {flags}：已略去，这些设置只在 KCP Desk 这一端生效。</translation>
    </message>
    <message>
        <source>Check: {problem}.</source>
        <translation>请检查：{problem}。</translation>
    </message>
    <message>
        <source>Copied</source>
        <translation>已复制</translation>
    </message>
    <message>
        <source>Save export</source>
        <translation>保存导出</translation>
    </message>
    <message>
        <source>Shell (*.sh)</source>
        <translation>Shell 脚本 (*.sh)</translation>
    </message>
    <message>
        <source>Could not save: {error}</source>
        <translation>无法保存：{error}</translation>
    </message>
</context>
<context>
    <name>Health</name>
    <message>
        <source>waiting for a reply from {where}</source>
        <translation>正在等待{where}的回应</translation>
    </message>
    <message>
        <source> Last seen at {time}; this stays until packets from the {other} arrive.</source>
        <translation>最近一次出现在 {time}；在收到{other}的数据包之前会一直显示。</translation>
    </message>
    <message>
        <source>packets from the {other} fail the checksum (another key or crypt)</source>
        <translation>来自{other}的包校验失败（密钥或加密方式不同）</translation>
    </message>
    <message>
        <source>no reply from {where} any more (link down, or it stopped)</source>
        <translation>{where}不再回应（链路断开，或它已停止）</translation>
    </message>
    <message>
        <source>no reply from {where} (another key or crypt, or unreachable)</source>
        <translation>{where}没有回应（密钥或加密方式不同，或无法到达）</translation>
    </message>
    <message>
        <source>server</source>
        <translation>服务端</translation>
    </message>
    <message>
        <source>client</source>
        <translation>客户端</translation>
    </message>
    <message>
        <source>the {other} at {peer}</source>
        <translation>{peer} 上的{other}</translation>
    </message>
    <message>
        <source>the {other}</source>
        <translation>{other}</translation>
    </message>
    <message>
        <source>connected: packets from {where} arrive</source>
        <translation>已连接：收到了来自{where}的数据包</translation>
    </message>
    <message>
        <source>link dropped: {reason}</source>
        <translation>链路断开：{reason}</translation>
    </message>
    <message>
        <source>Waiting for the first reply</source>
        <translation>正在等待第一个回应</translation>
    </message>
</context>
<context>
    <name>ImportCommandDialog</name>
    <message>
        <source>Import a kcptun command line</source>
        <translation>导入 kcptun 命令行</translation>
    </message>
    <message>
        <source>Paste the command you run kcptun with (client or server). Flags, quoting and KCPTUN_KEY=... in front all work.</source>
        <translation>粘贴你运行 kcptun 的命令（客户端或服务端）。参数、引号以及前面的 KCPTUN_KEY=... 都能识别。</translation>
    </message>
    <message>
        <source>Import</source>
        <translation>导入</translation>
    </message>
    <message>
        <source>A &lt;b&gt;{role}&lt;/b&gt; profile: {addr}, crypt {crypt}, mode {mode}.</source>
        <translation>&lt;b&gt;{role}&lt;/b&gt;配置：{addr}，crypt {crypt}，mode {mode}。</translation>
    </message>
    <message>
        <source>The editor will mark these: {problems}</source>
        <translation>编辑器会标出这些问题：{problems}</translation>
    </message>
</context>
<context>
    <name>ImportLinkDialog</name>
    <message>
        <source>Import a kcptun:// link</source>
        <translation>导入 kcptun:// 链接</translation>
    </message>
    <message>
        <source>Paste a kcptun:// share link (kcptun_gclient&apos;s format):</source>
        <translation>粘贴 kcptun:// 分享链接（kcptun_gclient 格式）：</translation>
    </message>
    <message>
        <source>Server {address}, mode {mode}.</source>
        <translation>服务器 {address}，模式 {mode}。</translation>
    </message>
    <message>
        <source> The link has no key: set it in the profile.</source>
        <translation>链接中没有密钥：请在配置中设置。</translation>
    </message>
</context>
<context>
    <name>Labels</name>
    <message>
        <source>client</source>
        <translation>客户端</translation>
    </message>
    <message>
        <source>server</source>
        <translation>服务端</translation>
    </message>
    <message>
        <source>stopped</source>
        <translation>已停止</translation>
    </message>
    <message>
        <source>connecting</source>
        <translation>连接中</translation>
    </message>
    <message>
        <source>running</source>
        <translation>运行中</translation>
    </message>
    <message>
        <source>error</source>
        <translation>错误</translation>
    </message>
</context>
<context>
    <name>LanguageMenu</name>
    <message>
        <source>&amp;Language</source>
        <translation>语言(&amp;L)</translation>
    </message>
    <message>
        <source>System default</source>
        <translation>跟随系统</translation>
    </message>
    <message>
        <source>The language changes when KCP Desk starts again.</source>
        <translation>重新启动 KCP Desk 后切换语言。</translation>
    </message>
</context>
<context>
    <name>LifeActions</name>
    <message>
        <source>Start &amp;all</source>
        <translation>全部启动(&amp;A)</translation>
    </message>
    <message>
        <source>Start every saved profile that is not running</source>
        <translation>启动所有未运行的已保存配置</translation>
    </message>
    <message>
        <source>Stop a&amp;ll</source>
        <translation>全部停止(&amp;L)</translation>
    </message>
    <message>
        <source>Stop every running tunnel</source>
        <translation>停止所有运行中的隧道</translation>
    </message>
    <message>
        <source>Start KCP Desk at &amp;login</source>
        <translation>登录时启动 KCP Desk(&amp;L)</translation>
    </message>
    <message>
        <source>Starts in the tray when you log in (%1)</source>
        <translation>登录时在托盘中启动（%1）</translation>
    </message>
    <message>
        <source>&amp;Reconnect tunnels at launch</source>
        <translation>启动时重新连接隧道(&amp;R)</translation>
    </message>
    <message>
        <source>Start the tunnels that were running when KCP Desk last quit</source>
        <translation>启动上次退出 KCP Desk 时正在运行的隧道</translation>
    </message>
    <message>
        <source>Ask</source>
        <translation>询问</translation>
    </message>
    <message>
        <source>Keep running in the tray</source>
        <translation>在托盘中继续运行</translation>
    </message>
    <message>
        <source>Stop tunnels and quit</source>
        <translation>停止隧道并退出</translation>
    </message>
    <message>
        <source>&amp;Settings</source>
        <translation>设置(&amp;S)</translation>
    </message>
    <message>
        <source>&amp;When closing with tunnels running</source>
        <translation>有隧道运行时关闭窗口(&amp;W)</translation>
    </message>
    <message>
        <source>KCP Desk: %1 running</source>
        <translation>KCP Desk：%1 个正在运行</translation>
    </message>
    <message>
        <source>Tunnels keep running. The tray icon brings it back.</source>
        <translation>隧道继续运行。点击托盘图标可以重新打开窗口。</translation>
    </message>
    <message>
        <source>Not started: %1 (see each profile&apos;s status)</source>
        <translation>未启动：%1（见各配置的状态）</translation>
    </message>
    <message>
        <source>Start at login: %1</source>
        <translation>登录时启动：%1</translation>
    </message>
</context>
<context>
    <name>LogView</name>
    <message>
        <source>Debug</source>
        <translation>调试</translation>
    </message>
    <message>
        <source>Info</source>
        <translation>信息</translation>
    </message>
    <message>
        <source>Warnings</source>
        <translation>警告</translation>
    </message>
    <message>
        <source>Errors</source>
        <translation>错误</translation>
    </message>
    <message>
        <source>All profiles</source>
        <translation>所有配置</translation>
    </message>
    <message>
        <source>Show every profile&apos;s lines, not just the selected one</source>
        <translation>显示所有配置的日志，而不只是选中的配置</translation>
    </message>
    <message>
        <source>Filter (text in the line)</source>
        <translation>过滤（行中包含的文字）</translation>
    </message>
    <message>
        <source>Clear view</source>
        <translation>清空显示</translation>
    </message>
    <message>
        <source>Level</source>
        <translation>级别</translation>
    </message>
</context>
<context>
    <name>MainWindow</name>
    <message>
        <source>KCP Desk</source>
        <translation>KCP Desk</translation>
    </message>
    <message>
        <source>Demo failed: {error}</source>
        <translation>演示失败：{error}</translation>
    </message>
    <message>
        <source>Profiles</source>
        <translation>配置</translation>
    </message>
    <message>
        <source>New</source>
        <translation>新建</translation>
    </message>
    <message>
        <source>Run demo</source>
        <translation>运行演示</translation>
    </message>
    <message>
        <source>Start a client and a server on this machine, joined by a simulated lossy link, with traffic: the charts move at once</source>
        <translation>在本机启动一个客户端和一个服务端，用模拟的有损链路相连并产生流量：图表会立即动起来</translation>
    </message>
    <message>
        <source>No profile selected</source>
        <translation>未选择配置</translation>
    </message>
    <message>
        <source>Start</source>
        <translation>启动</translation>
    </message>
    <message>
        <source>Create a profile with New, import a kcptun config, or run the demo.</source>
        <translation>用“新建”创建配置、导入 kcptun 配置，或运行演示。</translation>
    </message>
    <message>
        <source>Monitor</source>
        <translation>监控</translation>
    </message>
    <message>
        <source>Settings</source>
        <translation>设置</translation>
    </message>
    <message>
        <source>Log</source>
        <translation>日志</translation>
    </message>
    <message>
        <source>New &amp;client profile</source>
        <translation>新建客户端配置(&amp;C)</translation>
    </message>
    <message>
        <source>New &amp;server profile</source>
        <translation>新建服务端配置(&amp;S)</translation>
    </message>
    <message>
        <source>Import kcptun &amp;JSON file…</source>
        <translation>导入 kcptun &amp;JSON 文件…</translation>
    </message>
    <message>
        <source>Import kcptun command &amp;line…</source>
        <translation>导入 kcptun 命令行(&amp;L)…</translation>
    </message>
    <message>
        <source>&amp;Export…</source>
        <translation>导出(&amp;E)…</translation>
    </message>
    <message>
        <source>This profile, or the matching config for the other end</source>
        <translation>此配置，或与之匹配的另一端配置</translation>
    </message>
    <message>
        <source>&amp;Quit</source>
        <translation>退出(&amp;Q)</translation>
    </message>
    <message>
        <source>&amp;Start</source>
        <translation>启动(&amp;S)</translation>
    </message>
    <message>
        <source>S&amp;top</source>
        <translation>停止(&amp;T)</translation>
    </message>
    <message>
        <source>Rest&amp;art</source>
        <translation>重启(&amp;A)</translation>
    </message>
    <message>
        <source>Stop and start with the saved settings</source>
        <translation>停止并以保存的设置重新启动</translation>
    </message>
    <message>
        <source>&amp;Duplicate</source>
        <translation>复制(&amp;D)</translation>
    </message>
    <message>
        <source>&amp;Rename…</source>
        <translation>重命名(&amp;R)…</translation>
    </message>
    <message>
        <source>De&amp;lete…</source>
        <translation>删除(&amp;L)…</translation>
    </message>
    <message>
        <source>&amp;Undo delete</source>
        <translation>撤销删除(&amp;U)</translation>
    </message>
    <message>
        <source>Run &amp;demo</source>
        <translation>运行演示(&amp;D)</translation>
    </message>
    <message>
        <source>Desktop &amp;notifications</source>
        <translation>桌面通知(&amp;N)</translation>
    </message>
    <message>
        <source>Say when a tunnel connects, drops or fails (at most every 30 s)</source>
        <translation>隧道连接、断开或出错时通知（最多每 30 秒一次）</translation>
    </message>
    <message>
        <source>&amp;About KCP Desk</source>
        <translation>关于 KCP Desk(&amp;A)</translation>
    </message>
    <message>
        <source>&amp;File</source>
        <translation>文件(&amp;F)</translation>
    </message>
    <message>
        <source>&amp;Profile</source>
        <translation>配置(&amp;P)</translation>
    </message>
    <message>
        <source>&amp;View</source>
        <translation>视图(&amp;V)</translation>
    </message>
    <message>
        <source>&amp;Help</source>
        <translation>帮助(&amp;H)</translation>
    </message>
    <message>
        <source>Some profile files could not be read: {problems}</source>
        <translation>有些配置文件无法读取：{problems}</translation>
    </message>
    <message>
        <source>this profile</source>
        <translation>此配置</translation>
    </message>
    <message>
        <source>Unsaved changes</source>
        <translation>未保存的修改</translation>
    </message>
    <message>
        <source>Discard the unsaved changes to {what}?</source>
        <translation>放弃对 {what} 的未保存修改？</translation>
    </message>
    <message>
        <source>{name} (new, not saved)</source>
        <translation>{name}（新建，未保存）</translation>
    </message>
    <message>
        <source>Fill in the settings and press Save.</source>
        <translation>填写设置后按“保存”。</translation>
    </message>
    <message>
        <source>Error: {detail}</source>
        <translation>错误：{detail}</translation>
    </message>
    <message>
        <source>Stop</source>
        <translation>停止</translation>
    </message>
    <message>
        <source>Stop demo</source>
        <translation>停止演示</translation>
    </message>
    <message>
        <source>Stop &amp;demo</source>
        <translation>停止演示(&amp;D)</translation>
    </message>
    <message>
        <source>Imported</source>
        <translation>导入的配置</translation>
    </message>
    <message>
        <source>Imported {role}</source>
        <translation>导入的{role}</translation>
    </message>
    <message>
        <source>Duplicate failed: {error}</source>
        <translation>复制失败：{error}</translation>
    </message>
    <message>
        <source>Delete profile</source>
        <translation>删除配置</translation>
    </message>
    <message>
        <source>Delete the profile &apos;{name}&apos;? A running tunnel is stopped first.</source>
        <translation>删除配置“{name}”？运行中的隧道会先停止。</translation>
    </message>
    <message>
        <source>Deleted &apos;{name}&apos;. Profile → Undo delete brings it back.</source>
        <translation>已删除“{name}”。“配置 → 撤销删除”可以恢复。</translation>
    </message>
    <message>
        <source>&amp;Undo delete of &apos;{name}&apos;</source>
        <translation>撤销删除“{name}”(&amp;U)</translation>
    </message>
    <message>
        <source>Import a kcptun JSON config</source>
        <translation>导入 kcptun JSON 配置</translation>
    </message>
    <message>
        <source>JSON files (*.json);;All files (*)</source>
        <translation>JSON 文件 (*.json);;所有文件 (*)</translation>
    </message>
    <message>
        <source>Import</source>
        <translation>导入</translation>
    </message>
    <message>
        <source>Cannot read {path}: {error}</source>
        <translation>无法读取 {path}：{error}</translation>
    </message>
    <message>
        <source>Rename profile</source>
        <translation>重命名配置</translation>
    </message>
    <message>
        <source>New name:</source>
        <translation>新名称：</translation>
    </message>
    <message>
        <source>Rename</source>
        <translation>重命名</translation>
    </message>
    <message>
        <source>About KCP Desk</source>
        <translation>关于 KCP Desk</translation>
    </message>
    <message>
        <source>&lt;b&gt;KCP Desk {version}&lt;/b&gt;&lt;br&gt;A kcptun-compatible tunnel manager. Profiles are kcptun JSON files; &lt;code&gt;kcpdesk client --profile NAME&lt;/code&gt; runs one without the window.</source>
        <translation>&lt;b&gt;KCP Desk {version}&lt;/b&gt;&lt;br&gt;兼容 kcptun 的隧道管理器。配置就是 kcptun JSON 文件；&lt;code&gt;kcpdesk client --profile NAME&lt;/code&gt; 可以不开窗口运行一个配置。</translation>
    </message>
</context>
<context>
    <name>Notifier</name>
    <message>
        <source>connected</source>
        <translation>已连接</translation>
    </message>
    <message>
        <source>link dropped</source>
        <translation>链路断开</translation>
    </message>
    <message>
        <source>error</source>
        <translation>错误</translation>
    </message>
    <message>
        <source>{text} (1 earlier change since the last notice)</source>
        <translation>{text}（上次通知后还有 1 次变化）</translation>
    </message>
    <message>
        <source>{text} ({count} earlier changes since the last notice)</source>
        <translation>{text}（上次通知后还有 {count} 次变化）</translation>
    </message>
</context>
<context>
    <name>ProfileEditor</name>
    <message>
        <source>Connection</source>
        <translation>连接</translation>
    </message>
    <message>
        <source>Speed and reliability</source>
        <translation>速度与可靠性</translation>
    </message>
    <message>
        <source>Network</source>
        <translation>网络</translation>
    </message>
    <message>
        <source>Multiplexer (smux)</source>
        <translation>多路复用（smux）</translation>
    </message>
    <message>
        <source>Logging and compatibility</source>
        <translation>日志与兼容性</translation>
    </message>
    <message>
        <source>Local address</source>
        <translation>本地地址</translation>
    </message>
    <message>
        <source>Server address</source>
        <translation>服务器地址</translation>
    </message>
    <message>
        <source>Listen address</source>
        <translation>监听地址</translation>
    </message>
    <message>
        <source>Target</source>
        <translation>目标地址</translation>
    </message>
    <message>
        <source>Key</source>
        <translation>密钥</translation>
    </message>
    <message>
        <source>Cipher</source>
        <translation>加密方式</translation>
    </message>
    <message>
        <source>Connections</source>
        <translation>连接数</translation>
    </message>
    <message>
        <source>Mode</source>
        <translation>模式</translation>
    </message>
    <message>
        <source>No-delay</source>
        <translation>无延迟 (nodelay)</translation>
    </message>
    <message>
        <source>Interval</source>
        <translation>更新间隔</translation>
    </message>
    <message>
        <source>Fast resend</source>
        <translation>快速重传</translation>
    </message>
    <message>
        <source>No congestion control</source>
        <translation>关闭拥塞控制</translation>
    </message>
    <message>
        <source>ACK at once</source>
        <translation>立即 ACK</translation>
    </message>
    <message>
        <source>Send window</source>
        <translation>发送窗口</translation>
    </message>
    <message>
        <source>Receive window</source>
        <translation>接收窗口</translation>
    </message>
    <message>
        <source>FEC data shards</source>
        <translation>FEC 数据分片</translation>
    </message>
    <message>
        <source>FEC parity shards</source>
        <translation>FEC 校验分片</translation>
    </message>
    <message>
        <source>MTU</source>
        <translation>MTU</translation>
    </message>
    <message>
        <source>DSCP</source>
        <translation>DSCP</translation>
    </message>
    <message>
        <source>Socket buffer</source>
        <translation>套接字缓冲区</translation>
    </message>
    <message>
        <source>No compression</source>
        <translation>禁用压缩</translation>
    </message>
    <message>
        <source>Auto-expire</source>
        <translation>自动过期</translation>
    </message>
    <message>
        <source>Scavenge TTL</source>
        <translation>过期连接保留</translation>
    </message>
    <message>
        <source>smux version</source>
        <translation>smux 版本</translation>
    </message>
    <message>
        <source>smux buffer</source>
        <translation>smux 缓冲区</translation>
    </message>
    <message>
        <source>Stream buffer</source>
        <translation>流缓冲区</translation>
    </message>
    <message>
        <source>Keepalive</source>
        <translation>心跳间隔</translation>
    </message>
    <message>
        <source>Quiet</source>
        <translation>静默</translation>
    </message>
    <message>
        <source>Log file</source>
        <translation>日志文件</translation>
    </message>
    <message>
        <source>SNMP log file</source>
        <translation>SNMP 日志文件</translation>
    </message>
    <message>
        <source>SNMP period</source>
        <translation>SNMP 周期</translation>
    </message>
    <message>
        <source>Profiler</source>
        <translation>性能分析</translation>
    </message>
    <message>
        <source>TCP emulation</source>
        <translation>TCP 模拟</translation>
    </message>
    <message>
        <source>Peer runs</source>
        <translation>对端版本</translation>
    </message>
    <message>
        <source>Rate limit</source>
        <translation>限速</translation>
    </message>
    <message>
        <source>smux frame size</source>
        <translation>smux 帧大小</translation>
    </message>
    <message>
        <source>Close wait</source>
        <translation>半关闭等待</translation>
    </message>
    <message>
        <source>QPP</source>
        <translation>QPP</translation>
    </message>
    <message>
        <source>QPP pads</source>
        <translation>QPP 置换表数</translation>
    </message>
    <message>
        <source>CS0 / default</source>
        <translation>CS0 / 默认</translation>
    </message>
    <message>
        <source>EF, expedited (voice, games)</source>
        <translation>EF，加速转发（语音、游戏）</translation>
    </message>
    <message>
        <source>AF41 (video)</source>
        <translation>AF41（视频）</translation>
    </message>
    <message>
        <source>AF31</source>
        <translation>AF31</translation>
    </message>
    <message>
        <source>AF21</source>
        <translation>AF21</translation>
    </message>
    <message>
        <source>AF11</source>
        <translation>AF11</translation>
    </message>
    <message>
        <source>CS1, lower effort (bulk)</source>
        <translation>CS1，低优先级（批量）</translation>
    </message>
    <message>
        <source>CS3</source>
        <translation>CS3</translation>
    </message>
    <message>
        <source>CS4</source>
        <translation>CS4</translation>
    </message>
    <message>
        <source>CS5</source>
        <translation>CS5</translation>
    </message>
    <message>
        <source>CS6 (network control)</source>
        <translation>CS6（网络控制）</translation>
    </message>
    <message>
        <source>kcptun&apos;s public default</source>
        <translation>kcptun 公开的默认值</translation>
    </message>
    <message>
        <source>on</source>
        <translation>开</translation>
    </message>
    <message>
        <source>off</source>
        <translation>关</translation>
    </message>
    <message>
        <source>{help}.</source>
        <translation>{help}。</translation>
    </message>
    <message>
        <source>Default: {value}</source>
        <translation>默认值：{value}</translation>
    </message>
    <message>
        <source>. Range: {low}..{high}</source>
        <translation>。范围：{low}..{high}</translation>
    </message>
    <message>
        <source>(none)</source>
        <translation>（无）</translation>
    </message>
    <message>
        <source>Show</source>
        <translation>显示</translation>
    </message>
    <message>
        <source>Show or hide the key</source>
        <translation>显示或隐藏密钥</translation>
    </message>
    <message>
        <source>Generate</source>
        <translation>生成</translation>
    </message>
    <message>
        <source>Replace the key with a new random one (256 bits). The other end needs the same key: Export gives it the matching settings.</source>
        <translation>用一个新的随机密钥（256 位）替换。另一端需要相同的密钥：“导出”会给出匹配的设置。</translation>
    </message>
    <message>
        <source>Hide</source>
        <translation>隐藏</translation>
    </message>
    <message>
        <source>enter a number</source>
        <translation>请输入数字</translation>
    </message>
    <message>
        <source>{text} is not a whole number</source>
        <translation>{text} 不是整数</translation>
    </message>
    <message>
        <source>{text}: enter 0..63 or a name such as EF, AF41, CS1</source>
        <translation>{text}：请输入 0..63 或 EF、AF41、CS1 这样的名称</translation>
    </message>
    <message>
        <source>The profile&apos;s name; &apos;kcpdesk client --profile NAME&apos; runs it.</source>
        <translation>配置的名称；用 “kcpdesk client --profile NAME” 运行它。</translation>
    </message>
    <message>
        <source>Which end of the tunnel this profile is: the client runs next to your applications, the server next to the target.</source>
        <translation>此配置是隧道的哪一端：客户端运行在你的应用旁边，服务端运行在目标旁边。</translation>
    </message>
    <message>
        <source>Name</source>
        <translation>名称</translation>
    </message>
    <message>
        <source>Role</source>
        <translation>角色</translation>
    </message>
    <message>
        <source>Other</source>
        <translation>其他</translation>
    </message>
    <message>
        <source>Save</source>
        <translation>保存</translation>
    </message>
    <message>
        <source>Revert</source>
        <translation>还原</translation>
    </message>
    <message>
        <source>another profile already has this name</source>
        <translation>已有其他配置使用这个名称</translation>
    </message>
    <message>
        <source>the profile &apos;{other}&apos; listens on this port too: only one of them can run at a time</source>
        <translation>配置“{other}”也监听这个端口：同一时间只能运行其中一个</translation>
    </message>
    <message>
        <source>Not saved: fix the marked fields first ({count}).</source>
        <translation>未保存：请先修正标出的字段（{count} 个）。</translation>
    </message>
    <message>
        <source>{note} Check {label}: {warning}</source>
        <translation>{note}请检查{label}：{warning}</translation>
    </message>
    <message>
        <source> (and {more} more)</source>
        <translation>（还有 {more} 项）</translation>
    </message>
    <message>
        <source>Saved.</source>
        <translation>已保存。</translation>
    </message>
    <message>
        <source>Not saved: {problem}</source>
        <translation>未保存：{problem}</translation>
    </message>
    <message>
        <source>shards, FEC off</source>
        <translation>个分片，FEC 已关闭</translation>
    </message>
</context>
<context>
    <name>ProfileList</name>
    <message>
        <source>demo</source>
        <translation>演示</translation>
    </message>
    <message>
        <source>error: {detail}</source>
        <translation>错误：{detail}</translation>
    </message>
</context>
<context>
    <name>ProfileManager</name>
    <message>
        <source>stop the tunnel before renaming it</source>
        <translation>请先停止隧道再重命名</translation>
    </message>
    <message>
        <source>{name} copy</source>
        <translation>{name} 副本</translation>
    </message>
    <message>
        <source>{address} is in use by the running profile &apos;{other}&apos;: stop it first, or give one of them another port</source>
        <translation>{address} 正被运行中的配置“{other}”使用：请先停止它，或给其中一个换一个端口</translation>
    </message>
</context>
<context>
    <name>RestartBar</name>
    <message>
        <source>It still runs with the old settings; the saved ones apply at a restart.</source>
        <translation>它仍在使用旧设置运行；保存的设置在重启后生效。</translation>
    </message>
    <message>
        <source>Restart</source>
        <translation>重启</translation>
    </message>
    <message>
        <source>Stop and start this tunnel with the saved settings</source>
        <translation>停止此隧道并以保存的设置重新启动</translation>
    </message>
</context>
<context>
    <name>ShareLinkDialog</name>
    <message>
        <source>Share {name}</source>
        <translation>分享 {name}</translation>
    </message>
    <message>
        <source>A kcptun_gclient share link: paste it into another KCP Desk or kcptun_gclient, or scan the code.</source>
        <translation>kcptun_gclient 分享链接：粘贴到另一个 KCP Desk 或 kcptun_gclient，或扫描二维码。</translation>
    </message>
    <message>
        <source>Include the key (anyone with the link can use the server)</source>
        <translation>包含密钥（拿到链接的人都能使用服务器）</translation>
    </message>
    <message>
        <source>Copy</source>
        <translation>复制</translation>
    </message>
</context>
<context>
    <name>ThemeMenu</name>
    <message>
        <source>&amp;System (follow the desktop)</source>
        <translation>跟随系统(&amp;S)</translation>
    </message>
    <message>
        <source>&amp;Light</source>
        <translation>浅色(&amp;L)</translation>
    </message>
    <message>
        <source>&amp;Dark</source>
        <translation>深色(&amp;D)</translation>
    </message>
    <message>
        <source>&amp;Theme</source>
        <translation>主题(&amp;T)</translation>
    </message>
</context>
<context>
    <name>TimeSeriesPlot</name>
    <message>
        <source>now</source>
        <translation>现在</translation>
    </message>
</context>
<context>
    <name>TrafficTotalsView</name>
    <message>
        <source>Traffic</source>
        <translation>流量</translation>
    </message>
    <message>
        <source>UDP bytes this profile&apos;s tunnel received (↓) and sent (↑) on the network, FEC and retransmissions included: what a provider counts. Kept across restarts.</source>
        <translation>此配置的隧道在网络上接收（↓）和发送（↑）的 UDP 字节，包括 FEC 和重传：也就是运营商计费的流量。重启后保留。</translation>
    </message>
    <message>
        <source>Today</source>
        <translation>今天</translation>
    </message>
    <message>
        <source>This month</source>
        <translation>本月</translation>
    </message>
    <message>
        <source>All time</source>
        <translation>累计</translation>
    </message>
    <message>
        <source>payload: %1</source>
        <translation>有效载荷：%1</translation>
    </message>
</context>
<context>
    <name>Tray</name>
    <message>
        <source>Show KCP Desk</source>
        <translation>显示 KCP Desk</translation>
    </message>
    <message>
        <source>Stop</source>
        <translation>停止</translation>
    </message>
    <message>
        <source>Start</source>
        <translation>启动</translation>
    </message>
    <message>
        <source>Quit</source>
        <translation>退出</translation>
    </message>
</context>
<context>
    <name>TuneActions</name>
    <message>
        <source>KCP Desk</source>
        <translation>KCP Desk</translation>
    </message>
    <message>
        <source>Select a client profile first.</source>
        <translation>请先选择一个客户端配置。</translation>
    </message>
    <message>
        <source>Imported link</source>
        <translation>导入的链接</translation>
    </message>
    <message>
        <source>T&amp;une this link…</source>
        <translation>调优此链路(&amp;U)…</translation>
    </message>
    <message>
        <source>Measure, and what to change and why</source>
        <translation>测量链路，给出要改什么以及原因</translation>
    </message>
    <message>
        <source>S&amp;hare link / QR code…</source>
        <translation>分享链接 / 二维码(&amp;H)…</translation>
    </message>
    <message>
        <source>kcptun:// link of this client</source>
        <translation>此客户端的 kcptun:// 链接</translation>
    </message>
    <message>
        <source>Import kcptun:// lin&amp;k…</source>
        <translation>导入 kcptun:// 链接(&amp;K)…</translation>
    </message>
    <message>
        <source>Paste a kcptun_gclient link</source>
        <translation>粘贴 kcptun_gclient 链接</translation>
    </message>
</context>
<context>
    <name>TuneController</name>
    <message>
        <source>{error}: passive figures from this tunnel&apos;s counters</source>
        <translation>{error}：改用此隧道计数器的被动数据</translation>
    </message>
    <message>
        <source>active test against the KCP Desk server</source>
        <translation>对 KCP Desk 服务端的主动测试</translation>
    </message>
    <message>
        <source>the server does not offer the active test (KCP Desk --tuneserve), and this tunnel is not running: start it and use it while measuring</source>
        <translation>服务端不提供主动测试（KCP Desk --tuneserve），而此隧道未运行：请启动隧道，并在测量期间使用它</translation>
    </message>
    <message>
        <source>use the tunnel now: reading its counters for {seconds} s</source>
        <translation>现在请使用隧道：正在读取它的计数器 {seconds} 秒</translation>
    </message>
    <message>
        <source>cannot save the profile: {error}</source>
        <translation>无法保存配置：{error}</translation>
    </message>
</context>
<context>
    <name>TuneDialog</name>
    <message>
        <source>unknown</source>
        <translation>未知</translation>
    </message>
    <message>
        <source>no</source>
        <translation>否</translation>
    </message>
    <message>
        <source>Lowest RTT</source>
        <translation>最低 RTT</translation>
    </message>
    <message>
        <source>Smoothed RTT</source>
        <translation>平滑 RTT</translation>
    </message>
    <message>
        <source>Download</source>
        <translation>下载</translation>
    </message>
    <message>
        <source>  with large windows</source>
        <translation>  加大窗口后</translation>
    </message>
    <message>
        <source>  loss</source>
        <translation>  丢包率</translation>
    </message>
    <message>
        <source>  window-limited</source>
        <translation>  受窗口限制</translation>
    </message>
    <message>
        <source>Upload</source>
        <translation>上传</translation>
    </message>
    <message>
        <source>CPU (this end)</source>
        <translation>CPU（本端）</translation>
    </message>
    <message>
        <source>Measured by</source>
        <translation>测量方式</translation>
    </message>
    <message>
        <source>active test</source>
        <translation>主动测试</translation>
    </message>
    <message>
        <source>passive counters</source>
        <translation>被动计数</translation>
    </message>
    <message>
        <source>Tune {name}</source>
        <translation>调优 {name}</translation>
    </message>
    <message>
        <source>Measures this link, then says what to change on each end and why. The active test needs a KCP Desk server started with --tuneserve; otherwise the running tunnel&apos;s counters are read while you use it.</source>
        <translation>测量这条链路，然后说明两端各要改什么以及原因。主动测试需要服务端是以 --tuneserve 启动的 KCP Desk；否则在你使用隧道时读取它的计数器。</translation>
    </message>
    <message>
        <source>Measure</source>
        <translation>测量</translation>
    </message>
    <message>
        <source>Apply this end&apos;s part</source>
        <translation>应用本端的部分</translation>
    </message>
    <message>
        <source>Measure again</source>
        <translation>再次测量</translation>
    </message>
    <message>
        <source>Before</source>
        <translation>调整前</translation>
    </message>
    <message>
        <source>After</source>
        <translation>调整后</translation>
    </message>
    <message>
        <source>The server&apos;s part (it is not changed from here):</source>
        <translation>服务端的部分（不会从这里修改）：</translation>
    </message>
    <message>
        <source>Flags to add</source>
        <translation>要添加的参数</translation>
    </message>
    <message>
        <source>JSON keys</source>
        <translation>JSON 键</translation>
    </message>
    <message>
        <source>Whole command line</source>
        <translation>完整命令行</translation>
    </message>
    <message>
        <source>Share link (this end, no key)</source>
        <translation>分享链接（本端，不含密钥）</translation>
    </message>
    <message>
        <source>Copy</source>
        <translation>复制</translation>
    </message>
    <message>
        <source>measuring...</source>
        <translation>正在测量…</translation>
    </message>
    <message>
        <source>Restart the tunnel?</source>
        <translation>重启隧道？</translation>
    </message>
    <message>
        <source>The new settings take effect when the tunnel restarts. Restart it now (open connections through it are closed)?</source>
        <translation>新设置在隧道重启后生效。现在重启吗（经过它的连接会被关闭）？</translation>
    </message>
    <message>
        <source>Applied to this profile. Change the server as shown below, then measure again.</source>
        <translation>已应用到此配置。请按下方所示修改服务端，然后再次测量。</translation>
    </message>
    <message>
        <source>Measured: {note}.</source>
        <translation>已测量：{note}。</translation>
    </message>
    <message>
        <source>Recommendations</source>
        <translation>建议</translation>
    </message>
    <message>
        <source>&lt;p&gt;&lt;b&gt;Nothing to change:&lt;/b&gt; the settings fit what was measured.&lt;/p&gt;</source>
        <translation>&lt;p&gt;&lt;b&gt;无需修改：&lt;/b&gt;当前设置与测量结果相符。&lt;/p&gt;</translation>
    </message>
    <message>
        <source>Findings</source>
        <translation>发现</translation>
    </message>
    <message>
        <source>(nothing to change)</source>
        <translation>（无需修改）</translation>
    </message>
</context>
<context>
    <name>TuneText</name>
    <message>
        <source>{dir}: {x}</source>
        <translation>{dir}：{x}</translation>
    </message>
    <message>
        <source>{x} (held back by the {role}&apos;s {w})</source>
        <translation>{x}（受{role}的 {w} 限制）</translation>
    </message>
    <message>
        <source>{eff} segments x {kb} kB / {rtt} ms = {r} at most</source>
        <translation>{eff} 个分段 x {kb} kB / {rtt} ms = 最多 {r}</translation>
    </message>
    <message>
        <source>it carried {r}</source>
        <translation>实际传输了 {r}</translation>
    </message>
    <message>
        <source>with large windows the link carried {r} in the test</source>
        <translation>测试中加大窗口后链路传输了 {r}</translation>
    </message>
    <message>
        <source>the link carried {r} in the test</source>
        <translation>测试中链路传输了 {r}</translation>
    </message>
    <message>
        <source>the window was full most of the time at {r}, so the link may carry more</source>
        <translation>在 {r} 时窗口大部分时间是满的，所以链路可能还能传更多</translation>
    </message>
    <message>
        <source>raising it {n}x and measuring again will tell</source>
        <translation>调大 {n} 倍后再测一次就知道了</translation>
    </message>
    <message>
        <source>the window was full, yet large windows carried no more ({r}): loss or the path limits it, not the windows</source>
        <translation>窗口是满的，但加大窗口也没有传得更多（{r}）：限制它的是丢包或线路，而不是窗口</translation>
    </message>
    <message>
        <source>it carried {r} without filling the window: windows are not the limit</source>
        <translation>传输了 {r} 而窗口未满：窗口不是瓶颈</translation>
    </message>
    <message>
        <source>{x}, and {n} segments already cover that</source>
        <translation>{x}，而 {n} 个分段已经足够</translation>
    </message>
    <message>
        <source>{x}: raise {parts}</source>
        <translation>{x}：调大{parts}</translation>
    </message>
    <message>
        <source>{w} on the {role} to {n}</source>
        <translation>{role}的 {w} 到 {n}</translation>
    </message>
    <message>
        <source>mode {m} is hand-set</source>
        <translation>模式 {m} 是手动设置的</translation>
    </message>
    <message>
        <source>this end used {p} of a core: {x}</source>
        <translation>本端占用了一个 CPU 核心的 {p}：{x}</translation>
    </message>
    <message>
        <source>{p} loss: {x}</source>
        <translation>丢包率 {p}：{x}</translation>
    </message>
    <message>
        <source>{p} loss</source>
        <translation>丢包率 {p}</translation>
    </message>
    <message>
        <source>{ds}/{ps} leaves {p} of groups waiting for a retransmission</source>
        <translation>{ds}/{ps} 会让 {p} 的组等待重传</translation>
    </message>
    <message>
        <source>without FEC {p} of groups waiting for a retransmission</source>
        <translation>不用 FEC 时 {p} 的组在等待重传</translation>
    </message>
    <message>
        <source>{ds}/{ps} spends {p} on parity</source>
        <translation>{ds}/{ps} 在校验上花费 {p}</translation>
    </message>
    <message>
        <source>FEC {ds}/{ps} fits it ({p} of groups unrecoverable)</source>
        <translation>FEC {ds}/{ps} 合适（{p} 的组无法恢复）</translation>
    </message>
    <message>
        <source>{cur} flushes (sends and acknowledges) every {i} ms against a {rtt} ms round trip, so each window waits up to two intervals more than the path needs</source>
        <translation>{cur} 每 {i} ms 刷新一次（发送和确认），而往返时间是 {rtt} ms，所以每个窗口会比线路需要的多等最多两个间隔</translation>
    </message>
    <message>
        <source>fast2 flushes every {i} ms (a little more CPU)</source>
        <translation>fast2 每 {i} ms 刷新一次（多用一点 CPU）</translation>
    </message>
    <message>
        <source>no loss measured ({p}): {ps} parity per {ds} data shards costs {c} extra bandwidth for nothing</source>
        <translation>没有测到丢包（{p}）：每 {ds} 个数据分片配 {ps} 个校验分片，白白多花 {c} 的带宽</translation>
    </message>
    <message>
        <source>{ds}/{ps} would leave {u} for {o} more bandwidth: worth it for interactive traffic (fewer stalls), not for downloads (less goodput)</source>
        <translation>{ds}/{ps} 只剩 {u}，代价是多用 {o} 的带宽：对交互流量值得（卡顿更少），对下载不值得（有效吞吐更低）</translation>
    </message>
    <message>
        <source>{ds}/{ps} rebuilds all but {u} of groups for {o}</source>
        <translation>{ds}/{ps} 只需 {o} 就能恢复除 {u} 以外的所有组</translation>
    </message>
    <message>
        <source>CPU-bound at {p} of a core with compression off: a cheaper cipher or a faster machine is what is left</source>
        <translation>压缩已关闭，CPU 仍占满一个核心的 {p}：剩下的办法是更便宜的加密方式或更快的机器</translation>
    </message>
    <message>
        <source>RTT {a} ms against {b} ms empty: a queue builds: {x}</source>
        <translation>RTT {a} ms（空载时 {b} ms）：有排队：{x}</translation>
    </message>
    <message>
        <source>mtu {m} spends {p} of every packet on headers</source>
        <translation>mtu {m} 让每个包有 {p} 花在包头上</translation>
    </message>
    <message>
        <source>{n} (kcptun&apos;s default) fits almost every path, with no loss measured</source>
        <translation>{n}（kcptun 的默认值）几乎适合所有线路，且没有测到丢包</translation>
    </message>
    <message>
        <source>a {w}-segment window arrives in bursts of up to {k} KiB</source>
        <translation>{w} 个分段的窗口会以最多 {k} KiB 的突发到达</translation>
    </message>
    <message>
        <source>the {k} KiB socket buffer would drop the tail</source>
        <translation>{k} KiB 的套接字缓冲区会丢掉尾部</translation>
    </message>
    <message>
        <source>{d}, {w}</source>
        <translation>{d}，{w}</translation>
    </message>
    <message>
        <source>download (server to client)</source>
        <translation>下载（服务端到客户端）</translation>
    </message>
    <message>
        <source>upload (client to server)</source>
        <translation>上传（客户端到服务端）</translation>
    </message>
    <message>
        <source>too little traffic to judge the windows</source>
        <translation>流量太少，无法判断窗口</translation>
    </message>
    <message>
        <source>left alone</source>
        <translation>保持不变</translation>
    </message>
    <message>
        <source>this end is CPU-bound, larger windows would not help</source>
        <translation>本端 CPU 已满载，加大窗口没有帮助</translation>
    </message>
    <message>
        <source>the mode rule leaves it alone</source>
        <translation>模式规则不改动它</translation>
    </message>
    <message>
        <source>fast3 flushes every 10 ms, fast2 every 20 ms with the same quick resends: less CPU for the same recovery</source>
        <translation>fast3 每 10 ms 刷新一次，fast2 每 20 ms 一次且同样快速重发：恢复效果相同而 CPU 更省</translation>
    </message>
    <message>
        <source>fast2 (nodelay) lowers the minimum RTO from 100 to 30 ms and backs off 1.5x instead of 2x, so lost segments are resent sooner</source>
        <translation>fast2（nodelay）把最小 RTO 从 100 ms 降到 30 ms，退避系数从 2 倍降为 1.5 倍，丢失的分段会更早重发</translation>
    </message>
    <message>
        <source>loss not measured: FEC left as it is</source>
        <translation>没有测量丢包：FEC 保持不变</translation>
    </message>
    <message>
        <source>turn parity off</source>
        <translation>关闭校验分片</translation>
    </message>
    <message>
        <source>not changed</source>
        <translation>未修改</translation>
    </message>
    <message>
        <source>snappy compression costs CPU on every byte</source>
        <translation>snappy 压缩在每个字节上都消耗 CPU</translation>
    </message>
    <message>
        <source>turning it off (both ends) frees it for the transfer</source>
        <translation>（两端都）关闭它可以把 CPU 留给传输</translation>
    </message>
    <message>
        <source>CPU-bound</source>
        <translation>CPU 已满载</translation>
    </message>
    <message>
        <source>pacing sends at the rate the path delivers instead of a window at a time, so the bottleneck queue stops overflowing (KCP Desk only)</source>
        <translation>pacing 按线路的实际投递速率发送，而不是一次发一整个窗口，瓶颈队列就不再溢出（仅 KCP Desk）</translation>
    </message>
    <message>
        <source>client</source>
        <translation>客户端</translation>
    </message>
    <message>
        <source>server</source>
        <translation>服务端</translation>
    </message>
    <message>
        <source>download</source>
        <translation>下载</translation>
    </message>
    <message>
        <source>upload</source>
        <translation>上传</translation>
    </message>
    <message>
        <source>current windows</source>
        <translation>当前窗口</translation>
    </message>
    <message>
        <source>large windows</source>
        <translation>大窗口</translation>
    </message>
    <message>
        <source>the server did not answer the tune test (Go kcptun, or KCP Desk without --tuneserve)</source>
        <translation>服务端没有响应调优测试（Go 版 kcptun，或未加 --tuneserve 的 KCP Desk）</translation>
    </message>
    <message>
        <source>; </source>
        <translation>；</translation>
    </message>
    <message>
        <source> and </source>
        <translation>和</translation>
    </message>
    <message>
        <source>{end}: {setting} {current} -&gt; {proposed}</source>
        <translation>{end}：{setting} {current} -&gt; {proposed}</translation>
    </message>
</context>
<context>
    <name>TunnelController</name>
    <message>
        <source>cannot resolve the host in {address}: {error}</source>
        <translation>无法解析 {address} 中的主机：{error}</translation>
    </message>
    <message>
        <source>{address} is already in use (another program or another running profile listens there)</source>
        <translation>{address} 已被占用（另一个程序或另一个运行中的配置在监听）</translation>
    </message>
    <message>
        <source>{address}: this machine has no such address</source>
        <translation>{address}：本机没有这个地址</translation>
    </message>
    <message>
        <source>{address}: permission denied (ports below 1024 need administrator rights)</source>
        <translation>{address}：权限不足（1024 以下的端口需要管理员权限）</translation>
    </message>
    <message>
        <source>fix the settings first: {problems}</source>
        <translation>请先修正设置：{problems}</translation>
    </message>
    <message>
        <source>starting</source>
        <translation>正在启动</translation>
    </message>
    <message>
        <source>unexpected error: {error}</source>
        <translation>意外错误：{error}</translation>
    </message>
    <message>
        <source>listening on {local} (TCP), server {remote}</source>
        <translation>监听 {local}（TCP），服务器 {remote}</translation>
    </message>
    <message>
        <source>listening on {local} (UDP), target {target}</source>
        <translation>监听 {local}（UDP），目标 {target}</translation>
    </message>
    <message>
        <source>; last session ended: {reason}</source>
        <translation>；上一个会话结束原因：{reason}</translation>
    </message>
</context>
<context>
    <name>kcpcore</name>
    <message>
        <source>local listen address</source>
        <translation>本地监听地址</translation>
    </message>
    <message>
        <source>Local TCP address your applications connect to. &apos;:port&apos; listens on every interface; &apos;127.0.0.1:port&apos; keeps the tunnel private to this machine.</source>
        <translation>你的应用所连接的本地 TCP 地址。&apos;:port&apos; 监听所有网卡；&apos;127.0.0.1:port&apos; 只允许本机使用隧道。</translation>
    </message>
    <message>
        <source>kcp server address</source>
        <translation>KCP 服务器地址</translation>
    </message>
    <message>
        <source>UDP host:port of the kcptun server.</source>
        <translation>kcptun 服务端的 UDP host:port。</translation>
    </message>
    <message>
        <source>kcp server listen address</source>
        <translation>KCP 服务端监听地址</translation>
    </message>
    <message>
        <source>UDP address the server listens on for KCP clients.</source>
        <translation>服务端监听 KCP 客户端的 UDP 地址。</translation>
    </message>
    <message>
        <source>target server address, or path/to/unix_socket</source>
        <translation>目标服务器地址，或 unix 套接字路径</translation>
    </message>
    <message>
        <source>Where tunnelled streams are delivered: a TCP host:port, or a unix socket path.</source>
        <translation>隧道中的流转发到哪里：TCP host:port，或 unix 套接字路径。</translation>
    </message>
    <message>
        <source>pre-shared secret between client and server</source>
        <translation>客户端与服务端之间的预共享密钥</translation>
    </message>
    <message>
        <source>Pre-shared secret; must match the peer. The default is public: change it.</source>
        <translation>预共享密钥；必须与对端一致。默认值是公开的：请修改。</translation>
    </message>
    <message>
        <source>aes, aes-128, aes-192, salsa20, blowfish, twofish, cast5, 3des, tea, xtea, xor, sm4, none</source>
        <translation>可选 aes, aes-128, aes-192, salsa20, blowfish, twofish, cast5, 3des, tea, xtea, xor, sm4, none</translation>
    </message>
    <message>
        <source>Cipher; must match the peer. Stronger ciphers cost more CPU per packet; &apos;xor&apos; only obfuscates and &apos;none&apos; only checksums.</source>
        <translation>加密方式；必须与对端一致。越强的加密每个包消耗越多 CPU；&apos;xor&apos; 只做混淆，&apos;none&apos; 只做校验。</translation>
    </message>
    <message>
        <source>profiles: fast3, fast2, fast, normal, manual</source>
        <translation>可选 fast3, fast2, fast, normal, manual</translation>
    </message>
    <message>
        <source>Preset trading bandwidth for latency: fast3 retransmits most eagerly (lowest latency, most overhead), normal is the gentlest. &apos;manual&apos; uses nodelay, interval, resend and nc.</source>
        <translation>用带宽换延迟的预设：fast3 重传最积极（延迟最低，开销最大），normal 最温和。&apos;manual&apos; 使用 nodelay、interval、resend 和 nc。</translation>
    </message>
    <message>
        <source>set num of UDP connections to server</source>
        <translation>到服务器的 UDP 连接数</translation>
    </message>
    <message>
        <source>Parallel KCP sessions to the server, used round robin: can use more bandwidth on lossy paths, at the cost of more UDP flows and memory.</source>
        <translation>到服务器的并行 KCP 会话，轮流使用：在丢包线路上能用到更多带宽，代价是更多 UDP 流和内存。</translation>
    </message>
    <message>
        <source>sessions</source>
        <translation>个会话</translation>
    </message>
    <message>
        <source>kcptun keeps it in 16 bits and crashes on 0</source>
        <translation>kcptun 用 16 位保存它，为 0 时会崩溃</translation>
    </message>
    <message>
        <source>set auto expiration time(in seconds) for a single UDP connection, 0 to disable</source>
        <translation>单个 UDP 连接的自动过期时间（秒），0 为禁用</translation>
    </message>
    <message>
        <source>Replace each UDP session after this many seconds (0 = never): dodges per-flow throttling, costs a reconnect.</source>
        <translation>每隔这么多秒更换一次 UDP 会话（0 = 从不）：可避开按流限速，代价是一次重连。</translation>
    </message>
    <message>
        <source>s</source>
        <translation>秒</translation>
    </message>
    <message>
        <source>kcptun treats it as 0 (off)</source>
        <translation>kcptun 会把它当作 0（关闭）</translation>
    </message>
    <message>
        <source>set how long an expired connection can live (in seconds)</source>
        <translation>过期连接还能存活多久（秒）</translation>
    </message>
    <message>
        <source>How long an expired session may keep carrying its open streams before it is closed.</source>
        <translation>过期的会话在关闭前还能继续承载已打开的流多久。</translation>
    </message>
    <message>
        <source>kcptun closes expired sessions at once</source>
        <translation>kcptun 会立即关闭过期会话</translation>
    </message>
    <message>
        <source>set maximum transmission unit for UDP packets</source>
        <translation>UDP 包的最大传输单元</translation>
    </message>
    <message>
        <source>Largest UDP datagram sent. Too large gets fragmented or dropped on the path; smaller wastes more bytes on headers.</source>
        <translation>发送的最大 UDP 数据报。太大会在线路上被分片或丢弃；太小则包头浪费更多字节。</translation>
    </message>
    <message>
        <source>bytes</source>
        <translation>字节</translation>
    </message>
    <message>
        <source>kcptun silently keeps KCP&apos;s default of 1400</source>
        <translation>kcptun 会默默保留 KCP 的默认值 1400</translation>
    </message>
    <message>
        <source>set send window size(num of packets)</source>
        <translation>发送窗口大小（包数）</translation>
    </message>
    <message>
        <source>Send window: larger fills long fat links, at the cost of memory and burstier traffic.</source>
        <translation>发送窗口：越大越能跑满长肥管道，代价是内存和更突发的流量。</translation>
    </message>
    <message>
        <source>packets</source>
        <translation>个包</translation>
    </message>
    <message>
        <source>kcp-go ignores values below 1 and the wire field is 16 bits</source>
        <translation>kcp-go 忽略小于 1 的值，且协议字段只有 16 位</translation>
    </message>
    <message>
        <source>set receive window size(num of packets)</source>
        <translation>接收窗口大小（包数）</translation>
    </message>
    <message>
        <source>Receive window: must cover bandwidth x RTT for full speed; costs memory.</source>
        <translation>接收窗口：要达到满速必须覆盖 带宽 x RTT；会占用内存。</translation>
    </message>
    <message>
        <source>set reed-solomon erasure coding - datashard</source>
        <translation>Reed-Solomon 纠删码 - 数据分片数</translation>
    </message>
    <message>
        <source>FEC data shards per group; must match the peer. With parityshard it trades parityshard/datashard extra bandwidth for repairing loss without a retransmit.</source>
        <translation>每组 FEC 的数据分片数；必须与对端一致。配合 parityshard，用 parityshard/datashard 的额外带宽换取无需重传即可修复丢包。</translation>
    </message>
    <message>
        <source>shards</source>
        <translation>个分片</translation>
    </message>
    <message>
        <source>set reed-solomon erasure coding - parityshard</source>
        <translation>Reed-Solomon 纠删码 - 校验分片数</translation>
    </message>
    <message>
        <source>FEC parity shards per group (0 turns FEC off); must match the peer. More parity survives more loss and costs more bandwidth.</source>
        <translation>每组 FEC 的校验分片数（0 关闭 FEC）；必须与对端一致。校验越多能扛住越多丢包，也越费带宽。</translation>
    </message>
    <message>
        <source>set DSCP(6bit)</source>
        <translation>设置 DSCP（6 位）</translation>
    </message>
    <message>
        <source>DiffServ code point on outgoing UDP packets; some networks prioritise marked traffic, some drop it.</source>
        <translation>发出的 UDP 包上的 DiffServ 代码点；有些网络会优先处理带标记的流量，有些会丢弃。</translation>
    </message>
    <message>
        <source>DSCP is a 6-bit field</source>
        <translation>DSCP 是 6 位字段</translation>
    </message>
    <message>
        <source>disable compression</source>
        <translation>禁用压缩</translation>
    </message>
    <message>
        <source>Turn off snappy compression; must match the peer. Saves CPU, costs bandwidth on compressible data.</source>
        <translation>关闭 snappy 压缩；必须与对端一致。节省 CPU，但可压缩的数据会多占带宽。</translation>
    </message>
    <message>
        <source>flush ack immediately when a packet is received</source>
        <translation>收到包后立即发送 ACK</translation>
    </message>
    <message>
        <source>ACK every packet at once instead of once per interval: lower latency, more packets.</source>
        <translation>每个包立即 ACK，而不是每个 interval 一次：延迟更低，包更多。</translation>
    </message>
    <message>
        <source>manual mode: 1 = minimum RTO 30 ms and gentler RTO backoff</source>
        <translation>手动模式：1 = 最小 RTO 30 ms 且 RTO 退避更温和</translation>
    </message>
    <message>
        <source>Manual mode only. 1 retransmits sooner after loss (minimum RTO 30 ms instead of 100 ms), at the cost of more spurious retransmits.</source>
        <translation>仅手动模式。1 表示丢包后更早重传（最小 RTO 30 ms 而不是 100 ms），代价是更多不必要的重传。</translation>
    </message>
    <message>
        <source>manual mode: KCP update interval in ms</source>
        <translation>手动模式：KCP 内部更新间隔（ms）</translation>
    </message>
    <message>
        <source>Manual mode only. KCP&apos;s internal clock tick: shorter reacts faster, costs CPU.</source>
        <translation>仅手动模式。KCP 的内部时钟间隔：越短反应越快，越耗 CPU。</translation>
    </message>
    <message>
        <source>ms</source>
        <translation>ms</translation>
    </message>
    <message>
        <source>kcp-go clamps it to 10..5000</source>
        <translation>kcp-go 会把它限制在 10..5000</translation>
    </message>
    <message>
        <source>manual mode: fast retransmit after this many duplicate ACKs, 0 to disable</source>
        <translation>手动模式：收到这么多个重复 ACK 后快速重传，0 为禁用</translation>
    </message>
    <message>
        <source>Manual mode only. Fast retransmit trigger: lower recovers sooner, may resend needlessly on reordering.</source>
        <translation>仅手动模式。快速重传的触发次数：越低恢复越快，乱序时可能多余重传。</translation>
    </message>
    <message>
        <source>manual mode: 1 to turn off congestion control</source>
        <translation>手动模式：1 关闭拥塞控制</translation>
    </message>
    <message>
        <source>Manual mode only. 1 ignores the congestion window: faster on lossy links, unfair to other traffic.</source>
        <translation>仅手动模式。1 表示忽略拥塞窗口：在丢包链路上更快，但对其他流量不公平。</translation>
    </message>
    <message>
        <source>per-socket buffer in bytes</source>
        <translation>每个套接字的缓冲区（字节）</translation>
    </message>
    <message>
        <source>OS UDP socket buffer, both directions (0 leaves the OS default). Larger absorbs bursts; the OS may cap it.</source>
        <translation>系统 UDP 套接字缓冲区，收发两个方向（0 保持系统默认）。越大越能吸收突发流量；系统可能会限制上限。</translation>
    </message>
    <message>
        <source>specify smux version, available 1,2</source>
        <translation>smux 版本，可选 1、2</translation>
    </message>
    <message>
        <source>Stream multiplexer version; must match the peer. 2 adds per-stream flow control. kcptun changed its default from 1 to 2 in v20251205; the default here follows the peer&apos;s generation.</source>
        <translation>多路复用协议版本；必须与对端一致。2 增加了每个流的流量控制。kcptun 在 v20251205 把默认值从 1 改为 2；这里的默认值跟随对端的版本。</translation>
    </message>
    <message>
        <source>kcptun exits at startup above 2 and smux refuses anything but 1 and 2</source>
        <translation>大于 2 时 kcptun 启动即退出，smux 只接受 1 和 2</translation>
    </message>
    <message>
        <source>the overall de-mux buffer in bytes</source>
        <translation>多路复用总缓冲区（字节）</translation>
    </message>
    <message>
        <source>Receive buffer shared by all streams of one session: bounds memory per session.</source>
        <translation>一个会话所有流共用的接收缓冲区：限制每个会话的内存。</translation>
    </message>
    <message>
        <source>smux requires &gt; 0</source>
        <translation>smux 要求 &gt; 0</translation>
    </message>
    <message>
        <source>per stream receive buffer in bytes, smux v2+</source>
        <translation>每个流的接收缓冲区（字节），smux v2+</translation>
    </message>
    <message>
        <source>Per-stream receive buffer (smux v2): smaller is fairer between streams, larger lets one stream go faster. Must not exceed smuxbuf.</source>
        <translation>每个流的接收缓冲区（smux v2）：越小各个流之间越公平，越大单个流越快。不能超过 smuxbuf。</translation>
    </message>
    <message>
        <source>smux refuses it</source>
        <translation>smux 会拒绝</translation>
    </message>
    <message>
        <source>seconds between heartbeats</source>
        <translation>心跳间隔（秒）</translation>
    </message>
    <message>
        <source>Seconds between keepalive frames: shorter keeps NAT mappings open, costs a few bytes.</source>
        <translation>心跳帧的间隔秒数：越短越能保持 NAT 映射，会多花几个字节。</translation>
    </message>
    <message>
        <source>smux rejects it (its keepalive timeout is a fixed 30 s): the kcptun client exits on the first connection and the server never serves a session</source>
        <translation>smux 会拒绝（它的心跳超时固定为 30 秒）：kcptun 客户端在第一个连接时退出，服务端则永远无法提供会话</translation>
    </message>
    <message>
        <source>collect snmp to file, aware of timeformat in golang, like: ./snmp-20060102.log</source>
        <translation>把 SNMP 采集到文件，支持 Go 的时间格式，例如 ./snmp-20060102.log</translation>
    </message>
    <message>
        <source>Append the counters to this CSV file every snmpperiod seconds; Go time layout tokens in the file name are replaced (snmp-20060102.log).</source>
        <translation>每 snmpperiod 秒把计数器追加到这个 CSV 文件；文件名中的 Go 时间格式会被替换（snmp-20060102.log）。</translation>
    </message>
    <message>
        <source>snmp collect period, in seconds</source>
        <translation>SNMP 采集周期（秒）</translation>
    </message>
    <message>
        <source>Seconds between snmplog rows; 0 turns snmplog off.</source>
        <translation>snmplog 每行的间隔秒数；0 关闭 snmplog。</translation>
    </message>
    <message>
        <source>kcptun crashes on negative periods</source>
        <translation>周期为负时 kcptun 会崩溃</translation>
    </message>
    <message>
        <source>start profiling server on :6060</source>
        <translation>在 :6060 启动性能分析服务</translation>
    </message>
    <message>
        <source>kcptun&apos;s Go profiler; accepted for compatibility, does nothing here.</source>
        <translation>kcptun 的 Go 性能分析器；为兼容而接受，这里不起作用。</translation>
    </message>
    <message>
        <source>specify a log file to output, default goes to stderr</source>
        <translation>日志输出文件，默认输出到 stderr</translation>
    </message>
    <message>
        <source>Append the log to this file instead of stderr.</source>
        <translation>把日志追加到这个文件，而不是 stderr。</translation>
    </message>
    <message>
        <source>to suppress the &apos;stream open/close&apos; messages</source>
        <translation>不输出流打开/关闭的消息</translation>
    </message>
    <message>
        <source>Hide the per-stream open/close log lines.</source>
        <translation>隐藏每个流打开/关闭的日志行。</translation>
    </message>
    <message>
        <source>to emulate a TCP connection(linux)</source>
        <translation>模拟 TCP 连接（Linux）</translation>
    </message>
    <message>
        <source>kcptun&apos;s raw-socket TCP emulation; not supported by KCP Desk.</source>
        <translation>kcptun 的原始套接字 TCP 模拟；KCP Desk 不支持。</translation>
    </message>
    <message>
        <source>enable Quantum Permutation Pads(QPP)</source>
        <translation>启用量子置换表（QPP）</translation>
    </message>
    <message>
        <source>Quantum Permutation Pad over each stream&apos;s bytes, keyed by the raw key, on top of the cipher; must match the peer (kcptun v20240701+). Works best with a key of 211 bytes or more.</source>
        <translation>在加密之上，对每个流的字节做量子置换（QPP），以原始密钥为种子；必须与对端一致（kcptun v20240701+）。密钥在 211 字节以上效果最好。</translation>
    </message>
    <message>
        <source>the prime number of pads to use for QPP: The more pads you use, the more secure the encryption. Each pad requires 256 bytes.</source>
        <translation>QPP 使用的置换表数量（素数）：越多越安全。每个置换表占 256 字节。</translation>
    </message>
    <message>
        <source>Number of QPP pads (permutations); must match the peer. kcptun warns below 7 and for even counts: choose a prime such as 61.</source>
        <translation>QPP 置换表的数量；必须与对端一致。低于 7 或为偶数时 kcptun 会警告：请选 61 这样的素数。</translation>
    </message>
    <message>
        <source>pads</source>
        <translation>个置换表</translation>
    </message>
    <message>
        <source>kcptun refuses 0 and keeps the count in 16 bits</source>
        <translation>kcptun 拒绝 0，且数量只保存 16 位</translation>
    </message>
    <message>
        <source>the seconds to wait before tearing down a connection after one direction ends, 0 to wait for both directions</source>
        <translation>一个方向结束后，等待多少秒再拆除连接，0 表示等两个方向都结束</translation>
    </message>
    <message>
        <source>When one direction of a forwarded connection ends (one side sent EOF), close the whole connection this many seconds later. Bounds what half-closed connections cost a busy server; 0 keeps the other direction open until it ends too. kcptun 2025 defaults: client 0, server 30.</source>
        <translation>转发的连接有一个方向结束（一方发送了 EOF）后，再过这么多秒关闭整个连接。限制半关闭连接给繁忙服务端带来的开销；0 表示保持另一个方向直到它也结束。kcptun 2025 默认：客户端 0，服务端 30。</translation>
    </message>
    <message>
        <source>a forwarded connection half-closed for longer than a day is a leak</source>
        <translation>半关闭超过一天的转发连接就是泄漏</translation>
    </message>
    <message>
        <source>per-session send rate limit in bytes per second (wire bytes), 0 to disable</source>
        <translation>每个会话的发送限速（线路字节/秒），0 为禁用</translation>
    </message>
    <message>
        <source>Cap what each KCP session sends, counted on the wire (headers, retransmits and FEC parity included), like kcptun&apos;s --ratelimit. Keeps a tunnel from filling a shared link or a metered plan; 0 = no cap. Applies to this end only.</source>
        <translation>限制每个 KCP 会话的发送量，按线路字节计（包括包头、重传和 FEC 校验），同 kcptun 的 --ratelimit。避免隧道占满共享链路或按流量计费的套餐；0 = 不限。只作用于本端。</translation>
    </message>
    <message>
        <source>bytes/s</source>
        <translation>字节/秒</translation>
    </message>
    <message>
        <source>smux maximum frame size in bytes</source>
        <translation>smux 最大帧大小（字节）</translation>
    </message>
    <message>
        <source>Largest smux data frame this end sends. Smaller frames interleave parallel streams more finely (less head-of-line waiting), larger ones cost less per byte. Any peer accepts any size; kcptun 2025 uses 8192, older kcptun 32768.</source>
        <translation>本端发送的最大 smux 数据帧。帧越小，并行的流交错得越细（队头等待更少）；帧越大，每字节开销越低。任何对端都接受任意大小；kcptun 2025 用 8192，旧版 kcptun 用 32768。</translation>
    </message>
    <message>
        <source>smux refuses it (the frame length field is 16 bits)</source>
        <translation>smux 会拒绝（帧长度字段只有 16 位）</translation>
    </message>
    <message>
        <source>what the other end runs: kcptun-2021, kcptun-2025 or kcpdesk; the defaults of smuxver, framesize and closewait follow it</source>
        <translation>对端运行的程序：kcptun-2021、kcptun-2025 或 kcpdesk；smuxver、framesize 和 closewait 的默认值随之变化</translation>
    </message>
    <message>
        <source>Which kcptun the other end runs. kcptun v20251205 and later default to smux v2, older kcptun (Debian&apos;s 20210922) to v1, so two ends on their defaults only understand each other when this is right. Exports for a Go peer leave out the flags its version would refuse.</source>
        <translation>对端运行的 kcptun 版本。kcptun v20251205 及以后默认 smux v2，旧版 kcptun（Debian 的 20210922）默认 v1，所以两端都用默认值时，只有这里选对才能互通。导出给 Go 对端时会略去它的版本不认识的参数。</translation>
    </message>
    <message>
        <source>KCP Desk only: pace sends at the measured delivery rate (BBR-like); --pacing=false sends like kcptun</source>
        <translation>仅 KCP Desk：按测得的投递速率平滑发送（类似 BBR）；--pacing=false 则像 kcptun 一样发送</translation>
    </message>
    <message>
        <source>KCP Desk only, and only for what this end sends; any peer works, Go kcptun too. Sends at the rate the path delivers instead of a window at a time, so the bottleneck queue stops overflowing: more goodput and about half the bytes on the wire on shaped or lossy links. This end also acknowledges what it receives within 5 ms instead of at the next interval, which helps the peer&apos;s sender too. Off = kcptun&apos;s own sending rules.</source>
        <translation>仅 KCP Desk，且只作用于本端发送的数据；任何对端都可用，包括 Go 版 kcptun。按线路的实际投递速率发送，而不是一次发一整个窗口，瓶颈队列就不再溢出：在限速或丢包的链路上有效吞吐更高，线路上的字节约减半。本端还会在 5 ms 内确认收到的数据，而不是等到下一个 interval，这对对端的发送也有帮助。关闭 = 使用 kcptun 自己的发送规则。</translation>
    </message>
    <message>
        <source>KCP Desk only: send only the FEC parity shards the measured loss needs; --fecadaptive=false sends them all like kcptun</source>
        <translation>仅 KCP Desk：只发送测得的丢包率所需的 FEC 校验分片；--fecadaptive=false 则像 kcptun 一样全部发送</translation>
    </message>
    <message>
        <source>KCP Desk only, and only for what this end sends; any peer works, Go kcptun too. Of the parityshard shards per group, sends as many as the loss measured on the link needs (none on a clean link, all of them at high loss); the skipped ones look like lost parity to the peer. Saves up to parityshard/datashard of the wire (30 % with 10/3) on clean links. With pacing, a bulk transfer sends no parity (resending a lost packet costs less than parity for every group); parity goes out when the sender has rate to spare.</source>
        <translation>仅 KCP Desk，且只作用于本端发送的数据；任何对端都可用，包括 Go 版 kcptun。每组 parityshard 个校验分片中，只发送链路上测得的丢包所需的数量（干净的链路不发，高丢包时全发）；没发的在对端看来就像丢失的校验分片。在干净的链路上最多节省 parityshard/datashard 的线路流量（10/3 时为 30 %）。启用 pacing 时，大批量传输不发校验（重传一个丢失的包比给每组都发校验更省）；发送方有富余速率时才发校验。</translation>
    </message>
    <message>
        <source>KCP Desk only: answer KCP Desk&apos;s tune test (a bounded transfer of random data, at most 64 MB and 10 s per request) for clients that hold the key; off by default</source>
        <translation>仅 KCP Desk：为持有密钥的客户端响应 KCP Desk 的调优测试（有上限的随机数据传输，每次最多 64 MB、10 秒）；默认关闭</translation>
    </message>
    <message>
        <source>KCP Desk only. Lets &apos;Tune this link&apos; on a KCP Desk client measure the path: a client with the key may download or upload up to 64 MB of random data for up to 10 s per request, on its own test session (which may raise that session&apos;s windows); nothing else is reachable through it. Off: test sessions are treated like any other and the client falls back to passive figures.</source>
        <translation>仅 KCP Desk。让 KCP Desk 客户端的“调优此链路”能测量线路：持有密钥的客户端每次可在它自己的测试会话上（可能会加大该会话的窗口）下载或上传最多 64 MB 随机数据、最长 10 秒；通过它访问不到其他任何东西。关闭时：测试会话与其他会话一样处理，客户端改用被动数据。</translation>
    </message>
    <message>
        <source>kcptun 2021 (Debian)</source>
        <translation>kcptun 2021（Debian）</translation>
    </message>
    <message>
        <source>Debian&apos;s kcptun 20210922 and other builds before 2022: smux v1 by default, and it refuses flags it does not know.</source>
        <translation>Debian 的 kcptun 20210922 及 2022 年以前的其他版本：默认 smux v1，遇到不认识的参数会拒绝运行。</translation>
    </message>
    <message>
        <source>kcptun 2025+</source>
        <translation>kcptun 2025+</translation>
    </message>
    <message>
        <source>kcptun v20251205 and later (the last releases before upstream was deleted): smux v2 by default, 8 KiB smux frames, the server closes half-closed connections after 30 s.</source>
        <translation>kcptun v20251205 及以后（上游被删除前的最后几个版本）：默认 smux v2、8 KiB 的 smux 帧，服务端在 30 秒后关闭半关闭的连接。</translation>
    </message>
    <message>
        <source>KCP Desk</source>
        <translation>KCP Desk</translation>
    </message>
    <message>
        <source>Another KCP Desk: smux v2 (per-stream flow control, so one slow stream cannot stall the others) and every KCP Desk setting in exports.</source>
        <translation>另一个 KCP Desk：smux v2（每个流有流量控制，一个慢的流不会拖住其他流），导出时包含所有 KCP Desk 设置。</translation>
    </message>
    <message>
        <source>the link</source>
        <translation>链接</translation>
    </message>
    <message>
        <source>the key</source>
        <translation>密钥</translation>
    </message>
    <message>
        <source>the remark</source>
        <translation>备注</translation>
    </message>
    <message>
        <source>No closing quotation</source>
        <translation>引号没有闭合</translation>
    </message>
    <message>
        <source>No escaped character</source>
        <translation>转义符后缺少字符</translation>
    </message>
    <message>
        <source>Expecting value</source>
        <translation>缺少值</translation>
    </message>
    <message>
        <source>Expecting property name enclosed in double quotes</source>
        <translation>缺少用双引号括起的键名</translation>
    </message>
    <message>
        <source>Expecting &apos;,&apos; delimiter</source>
        <translation>缺少 &apos;,&apos; 分隔符</translation>
    </message>
    <message>
        <source>Expecting &apos;:&apos; delimiter</source>
        <translation>缺少 &apos;:&apos; 分隔符</translation>
    </message>
    <message>
        <source>Extra data</source>
        <translation>多余的数据</translation>
    </message>
    <message>
        <source>Unterminated string starting at</source>
        <translation>字符串没有结束</translation>
    </message>
    <message>
        <source>Invalid control character at</source>
        <translation>无效的控制字符</translation>
    </message>
</context>
<context>
    <name>main</name>
    <message>
        <source>No profile named &apos;{name}&apos; to start</source>
        <translation>没有名为“{name}”的配置可以启动</translation>
    </message>
</context>
</TS>
