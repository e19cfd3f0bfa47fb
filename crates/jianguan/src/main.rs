//! `jianguan`: one binary for serving and administration.

#[tokio::main]
async fn main() {
    let cli = jianguan::cli::parse();
    match jianguan::cli::run(cli).await {
        Ok(code) => std::process::exit(code),
        Err(e) => {
            // One line for the operator; the chain of causes after a colon.
            let chain: Vec<String> = e.chain().map(|c| c.to_string()).collect();
            eprintln!("jianguan: {}", chain.join(": "));
            std::process::exit(1);
        }
    }
}
